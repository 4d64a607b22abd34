#include <string.h>
#include <stdlib.h>

int read_table(const int *table, int idx, int n) {
    int v = 0;
    // ruleid: c-unchecked-index-or-size
    v += table[idx];
    if (idx < 0 || idx >= n)
        return -1;
    // ok: c-unchecked-index-or-size
    v += table[idx];
    return v;
}

int sum_loop(const int *table, int n) {
    int s = 0;
    for (int i = 0; i < n; i++)
        // ok: c-unchecked-index-or-size
        s += table[i];
    // ok: c-unchecked-index-or-size
    s += table[n % 8];
    return s;
}

int lookup(const struct op *o, const int *names, const int *sizes, size_t count) {
    // ok: c-unchecked-index-or-size
    int name = names[o->type];
    assert(count < 16);
    // ok: c-unchecked-index-or-size
    return name + sizes[count];
}

char *grow(const char *src, size_t len, size_t count) {
    // ruleid: c-unchecked-index-or-size
    char *dst = malloc(len + 1);
    if (count > SIZE_MAX / 4)
        return NULL;
    // ok: c-unchecked-index-or-size
    size_t total = count * 4;
    return dst;
}

void copy_packet(char *dst, const char *src, size_t pkt_len, size_t cap) {
    // ruleid: c-unchecked-index-or-size
    memcpy(dst, src, pkt_len);
    if (pkt_len > cap)
        return;
    // ok: c-unchecked-index-or-size
    memcpy(dst, src, pkt_len);
    // ok: c-unchecked-index-or-size
    printf("%zu\n", pkt_len);
}

BOOL read_header(wStream *s, UINT32 *flags, UINT16 *kind) {
    // ruleid: c-stream-read-unchecked-length
    Stream_Read_UINT32(s, *flags);
    if (Stream_GetRemainingLength(s) < 2)
        return FALSE;
    // ok: c-stream-read-unchecked-length
    Stream_Read_UINT16(s, *kind);
    return TRUE;
}

int op_length(const unsigned char *data, int len) {
    if (data[0] == 0x0f)
        // ruleid: c-fixed-offset-read-before-length-check
        return data[1] + 2;
    if (len < 3)
        return 0;
    // ok: c-fixed-offset-read-before-length-check
    return data[2];
}

int glyph_at(const struct cache *c, unsigned index, unsigned other) {
    if (index > c->number)
        return -1;
    // ruleid: c-index-checked-with-greater-than-count
    int v = c->entries[index];
    if (other >= c->number)
        return -1;
    // ok: c-index-checked-with-greater-than-count
    return v + c->entries[other];
}

int record_slot(struct cache *c, unsigned slot) {
    if (slot > c->number)
        c->number = slot;
    // ok: c-index-checked-with-greater-than-count
    return c->entries[slot];
}

char *append(char *message, const char *buf, size_t blen) {
    static unsigned short len = 0;
    size_t total = 0;
    // ruleid: c-narrow-length-arithmetic, c-unchecked-index-or-size
    len += blen;
    // ok: c-narrow-length-arithmetic
    // ruleid: c-unchecked-index-or-size
    total += blen;
    // ok: c-unchecked-index-or-size
    char *copy = calloc(total, 1);
    return copy;
}

void copy_name(const char *src) {
  char name[32];
  strncpy(name, src, sizeof(name));
  // ruleid: c-bounded-copy-not-terminated
  printf("hello %s\n", name);
}

void copy_name_terminated(const char *src) {
  char name[32];
  strncpy(name, src, sizeof(name) - 1);
  name[31] = '\0';
  // ok: c-bounded-copy-not-terminated
  printf("hello %s\n", name);
}

void copy_name_zeroed(const char *src) {
  char name[32] = {0};
  strncpy(name, src, sizeof(name) - 1);
  // ok: c-bounded-copy-not-terminated
  printf("hello %s\n", name);
}

void read_line(int fd) {
  char buf[64];
  char copy[64];
  read(fd, buf, sizeof(buf));
  // ruleid: c-bounded-copy-not-terminated
  strcpy(copy, buf);
}

void read_line_terminated(int fd) {
  char buf[64];
  ssize_t got = read(fd, buf, sizeof(buf) - 1);
  if (got < 0)
    return;
  buf[got] = '\0';
  // ok: c-bounded-copy-not-terminated
  size_t n = strlen(buf);
}

void terminate_past_end(const char *src) {
  char name[32];
  strncpy(name, src, 32);
  // ruleid: c-index-equals-array-size
  name[32] = '\0';
  // ok: c-index-equals-array-size
  name[31] = '\0';
  // ok: c-index-equals-array-size
  char *end = &name[32];
}

int sum_past_end(void) {
  int counts[10];
  int total = 0;
  for (int i = 0; i <= 10; i++) {
    // ruleid: c-index-equals-array-size
    total += counts[i];
  }
  for (int i = 0; i < 10; i++) {
    // ok: c-index-equals-array-size
    total += counts[i];
  }
  return total;
}

void clear_past_end(void) {
  char buf[16];
  // ruleid: c-index-equals-array-size, c-unchecked-index-or-size
  buf[sizeof(buf)] = 0;
}

void copy_names(void) {
  char small[16];
  char big[64];
  long wide[16];
  fill(small, big, wide);
  // ok: c-copy-sized-by-larger-buffer
  memcpy(big, small, sizeof(small));
  // ok: c-copy-sized-by-larger-buffer
  memcpy(small, big, sizeof(small));
  // ruleid: c-copy-sized-by-larger-buffer
  memcpy(small, big, sizeof(big));
  // ruleid: c-copy-sized-by-larger-buffer
  memmove(big, small, sizeof(big));
  // ok: c-copy-sized-by-larger-buffer
  memcpy(wide, big, sizeof(wide));
  use(small, big, wide);
}

void constant_values(FILE *f, int fd) {
  char name[32];
  unsigned char key[16];
  int values[8];
  // ruleid: c-constant-count-past-array-end
  memset(name, 0, 33);
  // ok: c-constant-count-past-array-end
  memset(name, 0, 32);
  // ruleid: c-constant-count-past-array-end
  fgets(name, 64, f);
  // ruleid: c-constant-count-past-array-end
  read(fd, key, 32);
  // ok: c-constant-count-past-array-end
  read(fd, key, sizeof(key));
  // ok: c-constant-count-past-array-end
  memset(values, 0, 32);
  // ruleid: c-constant-index-outside-array
  name[-1] = 0;
  // ruleid: c-constant-index-outside-array
  key[50] = 0;
  // ok: c-constant-index-outside-array
  key[15] = 0;
  // ok: c-constant-index-outside-array
  values[7] = name[0];
  use(name, key, values);
}

void clear_blocks(int n) {
  char label[10] = "name";
  char *block = malloc(32);
  unsigned char *raw = (unsigned char *) malloc(n);
  // ruleid: c-constant-count-past-array-end
  memset(label, 0, 11);
  // ok: c-constant-count-past-array-end
  memset(label, 0, 10);
  // ruleid: c-constant-count-past-array-end
  memset(block, 0, 33);
  // ok: c-constant-count-past-array-end
  memcpy(block, label, 10);
  // ok: c-constant-count-past-array-end
  memset(raw, 0, 64);
  name_t *copy = malloc(8);
  copy = realloc(copy, 128);
  // ok: c-constant-count-past-array-end
  memset(copy, 0, 128);
  use(label, block, raw, copy);
}
