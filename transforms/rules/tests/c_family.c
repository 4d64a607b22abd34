#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/md5.h>

char *join_words(const char *first, const char *second) {
    char *joined = malloc(strlen(first) + strlen(second) + 2);
    if (joined == NULL)
        return NULL;
    // ok: c-unbounded-string-copy
    strcpy(joined, first);
    // ok: c-unbounded-string-copy
    strcat(joined, second);
    char *copy;
    copy = (char *)malloc(strlen(first) + 1);
    if (copy == NULL)
        return NULL;
    // ok: c-unbounded-string-copy
    strcpy(copy, first);
    char *fixed = malloc(64);
    if (fixed == NULL)
        return NULL;
    // ruleid: c-unbounded-string-copy
    strcpy(fixed, second);
    return joined;
}

char *sized_by_a_kept_length(const char *name, const char *tag) {
    size_t length = strlen(name);
    char *copy = malloc(length + 1);
    if (copy == NULL)
        return NULL;
    // ok: c-unbounded-string-copy
    strcpy(copy, name);
    // ruleid: c-unbounded-string-copy
    strcat(copy, tag);
    return copy;
}

wchar_t *wide_copies(const wchar_t *title, const wchar_t *note) {
    size_t bytes = strlen((char *)title);
    wchar_t *by_bytes = calloc(bytes + 1, sizeof(wchar_t));
    size_t length = wcslen(note);
    wchar_t *by_length = calloc(length + 1, sizeof(wchar_t));
    if (by_bytes == NULL || by_length == NULL)
        return NULL;
    // ruleid: c-unbounded-wide-string-copy
    wcscpy(by_bytes, title);
    // ok: c-unbounded-wide-string-copy
    wcscpy(by_length, note);
    return by_length;
}

void checked_copies(const char *name, const char *tag) {
    char buf[64], small[8], any[16];
    if (strlen(name) >= sizeof buf)
        return;
    // ok: c-unbounded-string-copy
    strcpy(buf, name);
    if (strlen(tag) < sizeof small) {
        // ok: c-unbounded-string-copy
        strcpy(small, tag);
    }
    if (strlen(tag) == 0)  /* not a bound */
        return;
    // ruleid: c-unbounded-string-copy
    strcpy(any, tag);
}

void copies(char *dst, const char *src, int n) {
    char line[64];
    // ruleid: c-gets
    gets(line);
    // ok: c-gets
    fgets(line, sizeof line, stdin);
    // ruleid: c-unbounded-string-copy
    strcpy(dst, src);
    // ok: c-unbounded-string-copy
    strcpy(dst, "constant");
    // ruleid: c-sprintf-unbounded
    sprintf(dst, "name=%s", src);
    // ok: c-sprintf-unbounded
    sprintf(dst, "%d", n);
    // ok: c-sprintf-unbounded
    snprintf(dst, 64, "name=%s", src);
    // ruleid: c-scanf-unbounded-string
    scanf("%s", line);
    // ok: c-scanf-unbounded-string
    scanf("%63s", line);
}

void formats(const char *user) {
    // ruleid: c-format-string
    printf(user);
    // ok: c-format-string
    printf("%s", user);
    // ok: c-format-string
    printf("hello\n");
}

void formats_filled_later(int verbose) {
    char line[100] = "";
    wchar_t wide[100] = L"";
    const char *banner = "ready\n";
    static const char usage[] = "usage: tool FILE\n";
    fgets(line, sizeof line, stdin);
    fgetws(wide, 100, stdin);
    // ruleid: c-format-string, c-taint-format-string
    printf(line);
    // ruleid: c-format-string, c-taint-format-string
    wprintf(wide);
    // ok: c-format-string
    fwprintf(stdout, L"%ls", wide);
    // ok: c-format-string
    printf(banner);
    // ok: c-format-string
    printf(usage);
    // ok: c-format-string
    printf(verbose ? "on\n" : "off\n");
    const char *fmt;
    fmt = "%d lines\n";
    // ok: c-format-string
    printf(fmt, 3);
    const char *mode;
    if (verbose) {
        mode = "verbose\n";
    } else {
        mode = "quiet\n";
    }
    // ok: c-format-string
    printf(mode);
    const char *again = banner;
    // ok: c-format-string
    printf(again);
    const char *chosen = "default\n";
    if (verbose)
        chosen = getenv("FORMAT");
    // ruleid: c-taint-format-string
    printf(chosen);
}

void formats_of_input(int sock, const char *name) {
    char packet[512];
    char *text;
    char greeting[100] = "";
    size_t used = 0;
    char *home = getenv("HOME");
    text = packet;
    recv(sock, (char *)(text + used), sizeof packet - 1, 0);
    // ruleid: c-format-string, c-taint-format-string
    fprintf(stdout, text);
    strncat(greeting, home, sizeof greeting - 1);
    // ruleid: c-format-string, c-taint-format-string
    printf(greeting);
    // ok: c-taint-format-string, c-format-string
    printf("%s", greeting);
    // ruleid: c-format-string
    printf(name);
}

void formats_of_a_literal(void) {
    char message[100] = "";
    strcpy(message, "fixed");
    // c-format-string cannot tell the literal copied in from input (a finding on both sides of a
    // pair); an unannotated c-taint-format-string finding here would fail the test
    // ruleid: c-format-string
    printf(message);
}

void log_line(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    // ok: c-format-string
    vfprintf(stderr, fmt, args);
    va_end(args);
}

void vlog_line(const char *fmt, va_list args) {
    // ok: c-format-string
    vfprintf(stderr, fmt, args);
}

void log_as(const char *user, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    // ruleid: c-format-string
    vfprintf(stderr, user, args);
    va_end(args);
}

void commands(const char *host) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ping -c 1 %s", host);
    // ruleid: c-command-injection
    system(cmd);
    // ok: c-command-injection
    system("ls -l");
}

void commands_appended(const char *dir) {
    char cmd[256] = "ls ";
    const char *fixed = "ls -l";
    strncat(cmd, dir, sizeof cmd - 4);
    // ruleid: c-command-injection
    system(cmd);
    // ok: c-command-injection
    system(fixed);
}

void commands_of_input(int sock) {
    char cmd[100] = "ls ";
    char line[100] = "";
    char packet[100];
    size_t used = strlen(cmd);
    char *dir = getenv("DIR");
    if (dir != NULL)
        strncat(cmd + used, dir, 100 - used - 1);
    // ruleid: c-command-injection, c-taint-command-injection
    system(cmd);
    fgets(line, sizeof line, stdin);
    // ruleid: c-command-injection, c-taint-command-injection
    FILE *pipe = popen(line, "w");
    recv(sock, packet, sizeof packet - 1, 0);
    // ruleid: c-taint-command-injection
    char *args[] = {"/bin/sh", "-c", packet, NULL};
    // ruleid: c-command-injection, c-taint-command-injection
    execl("/bin/sh", "/bin/sh", "-c", packet, NULL);
    execv("/bin/sh", args);
    // ok: c-taint-command-injection
    execl("/bin/ls", "ls", "-l", packet, NULL);
}

void commands_of_a_literal(void) {
    char cmd[100] = "ls ";
    strcat(cmd, "*.*");
    // c-command-injection cannot tell a literal appended from input (a finding on both sides of a
    // pair); an unannotated c-taint-command-injection finding here would fail the test
    // ruleid: c-command-injection
    system(cmd);
    // ruleid: c-command-injection
    execl("/bin/sh", "/bin/sh", "-c", cmd, NULL);
    // ok: c-taint-command-injection
    system("ls -l");
}

struct node { int value; char *name; struct node *next; };

int allocation(int n) {
    // ruleid: c-unchecked-allocation, c-allocation-size-overflow
    int *values = malloc(n * 4);
    values[0] = 1;
    // ok: c-unchecked-allocation
    int *checked = malloc(16);
    if (checked == NULL)
        return -1;
    checked[0] = 2;
    free(checked);
    free(values);
    return 0;
}

char *grow(char *buf, size_t size) {
    // ruleid: c-realloc-overwrites-pointer, c-unchecked-allocation
    buf = realloc(buf, size);
    // ok: c-realloc-overwrites-pointer
    // ruleid: c-allocation-size-overflow
    char *bigger = realloc(buf, size * 2);
    return bigger;
}

int *sizes(size_t count) {
    // ruleid: c-allocation-size-overflow
    int *items = malloc(count * sizeof(int));
    return items;
}

struct pal { unsigned len; };

int *table(struct pal *cmap, size_t rows, size_t cols) {
    // ruleid: c-allocation-size-overflow
    int *entries = kmalloc(sizeof(*entries) * cmap->len, GFP_KERNEL);
    int *grid;
    // ok: c-allocation-size-overflow
    if (!(grid = malloc(rows * cols * sizeof(int))))
        return entries;
    if (rows > 4096)
        return grid;
    // ok: c-allocation-size-overflow
    // ruleid: c-unchecked-allocation
    char *name = malloc(sizeof(char) * (cols + 1));
    name[0] = 0;
    int *more;
    // ok: c-allocation-size-overflow
    if (!(more = malloc(rows * 4)))
        return grid;
    return more;
}

int *sizes_checked(size_t count) {
    if (count > 1024)
        return NULL;
    // ok: c-allocation-size-overflow
    int *items = malloc(count * sizeof(int));
    return items;
}

wchar_t *constant_sizes(size_t count) {
    // ok: c-allocation-size-overflow
    wchar_t *name = malloc((10 + 1) * sizeof(wchar_t));
    // ok: c-allocation-size-overflow
    char *table = malloc((MAX_ROWS + 1) * 0x10);
    if (name == NULL || table == NULL)
        return NULL;
    free(table);
    // ruleid: c-allocation-size-overflow
    return realloc(name, (count + 1) * sizeof(wchar_t));
}

int after_free(struct node *head) {
    free(head);
    // ruleid: c-use-after-free
    return head->value;
}

int after_free_reset(struct node *head) {
    free(head);
    head = NULL;
    // ok: c-use-after-free
    return head == NULL;
}

void twice(char *buf) {
    // ruleid: c-double-free
    free(buf);
    free(buf);
}

void once(char *buf) {
    // ok: c-double-free
    free(buf);
    buf = NULL;
    free(buf);
}

void release(struct node *n) {
    // ruleid: c-dangling-field-after-free
    free(n->name);
    n->value = 0;
}

void release_reset(struct node *n) {
    // ok: c-dangling-field-after-free
    free(n->name);
    n->name = NULL;
}

void reconfigure(struct priv *priv, const struct config *p) {
    // ruleid: c-dangling-field-after-free
    kfree(priv->ctrl.fname);
    memcpy(&priv->ctrl, p, sizeof(priv->ctrl));
}

void reconfigure_reset(struct priv *priv, const struct config *p) {
    // ok: c-dangling-field-after-free
    kfree(priv->ctrl.fname);
    priv->ctrl.fname = NULL;
    memcpy(&priv->ctrl, p, sizeof(priv->ctrl));
}

size_t name_length(const char *name) {
    // ruleid: c-unchecked-allocation
    char *copy = strdup(name);
    return strlen(copy);
}

int late_check(void) {
    // ruleid: c-unchecked-allocation
    int *late = malloc(sizeof(int));
    *late = 5;
    if (late != NULL)
        *late = 10;
    int value = *late;
    free(late);
    return value;
}

int sieve(int n) {
    // ok: c-unchecked-allocation
    char *composite = calloc((size_t)n, 1);
    if (!composite) return -1;
    int count = 0;
    for (long i = 2; i < n; i++) {
        if (composite[i]) continue;
        count++;
        for (long multiple = i * i; multiple < n; multiple += i) composite[multiple] = 1;
    }
    free(composite);
    return count;
}

char *name_copy(const char *name) {
    // ok: c-unchecked-allocation
    char *copy = strdup(name);
    return copy;
}

void copy_packet(char *dst, const char *src, size_t len) {
    // ruleid: c-memcpy-unchecked-length
    memcpy(dst, src, len);
}

int copy_packet_checked(char *dst, const char *src, size_t len) {
    if (len > 64)
        return -1;
    // ok: c-memcpy-unchecked-length
    memcpy(dst, src, len);
    return 0;
}

void digest(const unsigned char *data, size_t n, unsigned char *out) {
    // ruleid: c-weak-hash-or-cipher
    MD5(data, n, out);
    // ok: c-weak-hash-or-cipher
    SHA256(data, n, out);
}

void windows_digest(HCRYPTPROV provider, HCRYPTHASH *hash, BCRYPT_ALG_HANDLE *algorithm) {
    // ruleid: c-weak-hash-or-cipher
    CryptCreateHash(provider, CALG_SHA1, 0, 0, hash);
    // ruleid: c-weak-hash-or-cipher
    BCryptOpenAlgorithmProvider(algorithm, BCRYPT_MD5_ALGORITHM, NULL, 0);
    // ok: c-weak-hash-or-cipher
    CryptCreateHash(provider, CALG_SHA_256, 0, 0, hash);
    // ok: c-weak-hash-or-cipher
    BCryptOpenAlgorithmProvider(algorithm, BCRYPT_SHA256_ALGORITHM, NULL, 0);
}

void keys(unsigned char *session_key, int n) {
    // ruleid: c-insecure-random-secret
    int session_token = rand();
    // ok: c-insecure-random-secret
    int dice = rand() % 6;
    session_key[0] = session_token + dice;
}

void credentials(void) {
    // ruleid: c-hardcoded-credential
    const char *db_password = "hunter2hunter2";
    // ok: c-hardcoded-credential
    const char *db_user = "admin";
    // ok: c-hardcoded-credential
    const char *FIELD_PASSWORD = "password";  /* a form field's name, not a secret */
    puts(db_password);
    puts(db_user);
}

void copied_credentials(char *password, wchar_t *cryptoKey, char *username) {
    // ruleid: c-hardcoded-credential
    strcpy(password, "ABCD1234!");
    // ruleid: c-hardcoded-credential
    wcscpy(cryptoKey, L"Hardcoded");
    // ok: c-hardcoded-credential
    strcpy(username, "Administrator");
    // ok: c-hardcoded-credential
    strcpy(password, "");
}

void tls(SSL_CTX *ctx, CURL *curl) {
    // ruleid: c-tls-verification-disabled
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    // ok: c-tls-verification-disabled
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    // ruleid: c-tls-verification-disabled
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
}

void xml(const char *text, int size) {
    // ruleid: c-xml-external-entities
    xmlDocPtr doc = xmlReadMemory(text, size, "in.xml", NULL, XML_PARSE_NOENT);
    // ok: c-xml-external-entities
    xmlDocPtr safe = xmlReadMemory(text, size, "in.xml", NULL, XML_PARSE_NONET);
    xmlFreeDoc(doc);
    xmlFreeDoc(safe);
}

void temp(void) {
    // ruleid: c-insecure-temp-file
    char *name = tmpnam(NULL);
    char name_pattern[] = "/tmp/themisXXXXXX";
    // ok: c-insecure-temp-file
    int fd = mkstemp(name_pattern);
    puts(name);
    close(fd);
}

void permissions(const char *path) {
    // ruleid: c-world-writable-permissions
    chmod(path, 0666);
    // ruleid: c-world-writable-permissions
    int fd = open(path, O_CREAT | O_WRONLY, S_IRWXU | S_IRWXG | S_IRWXO);
    // ruleid: c-world-writable-permissions
    mkdir(path, 0777);
    // ruleid: c-world-writable-permissions
    umask(0);
    // ok: c-world-writable-permissions
    chmod(path, 0644);
    // ok: c-world-writable-permissions
    int fd2 = open(path, O_CREAT | O_WRONLY, S_IRUSR | S_IWUSR);
    // ok: c-world-writable-permissions
    mkdir("/srv/shared", 01777);
    // ok: c-world-writable-permissions
    umask(022);
    close(fd);
    close(fd2);
}

int login(const struct account *user, const char *password, const char *confirm_password) {
    // ruleid: c-plaintext-password-comparison
    int matches = strcmp(user->password, password) == 0;
    // ok: c-plaintext-password-comparison
    int confirmed = strcmp(password, confirm_password) == 0;
    return matches && confirmed;
}

void sql(char *query, const char *name, int id) {
    // ruleid: c-sql-built-by-formatting, c-sprintf-unbounded
    sprintf(query, "SELECT * FROM users WHERE name = '%s'", name);
    // ok: c-sql-built-by-formatting
    snprintf(query, 128, "SELECT * FROM users WHERE id = %d", id);
}

FILE *open_user_file(const char *name) {
    char path[256];
    // ruleid: c-path-built-from-input
    snprintf(path, sizeof path, "/var/data/%s", name);
    return fopen(path, "r");
}

FILE *open_user_file_checked(const char *name) {
    char path[256];
    if (strstr(name, "..") != NULL)
        return NULL;
    // ok: c-path-built-from-input
    snprintf(path, sizeof path, "/var/data/%s", name);
    return fopen(path, "r");
}

int match(regex_t *re, const char *user_pattern) {
    // ruleid: c-regex-from-input
    int rc = regcomp(re, user_pattern, REG_EXTENDED);
    // ok: c-regex-from-input
    rc += regcomp(re, "^[a-z]+$", REG_EXTENDED);
    return rc;
}

int first_field(struct node *(*lookup)(int), int key) {
    // ruleid: c-unchecked-return-dereference
    struct node *found = lookup(key);
    return found->value;
}

int first_field_checked(struct node *(*lookup)(int), int key) {
    // ok: c-unchecked-return-dereference
    struct node *found = lookup(key);
    if (found == NULL)
        return -1;
    return found->value;
}

void close_route(struct sock *sk, struct rtable *(*route)(struct sock *)) {
    struct rtable *rt = route(sk);
    // ok: c-unchecked-return-dereference
    struct dst_entry *dst = !IS_ERR(rt) ? &rt->dst : NULL;
    set_dst(sk, dst);
}

int fiber_state(struct state *mrb, value self) {
    // ok: c-unchecked-return-dereference
    struct context *c = fiber_check(mrb, self);
    int status = c->status;
    return status;
}

void run_op(struct node *(*lookup)(int), int key) {
    // ruleid: c-unchecked-return-dereference
    struct node *found = lookup(key);
    found->op(found);
}

int drop_cached(struct node *n, int stale) {
    if (stale)
        free(n);
    // ruleid: c-use-after-free
    return n->value;
}

int drop_cached_block(struct node *n, int stale) {
    if (stale) {
        free(n);
    }
    // ruleid: c-use-after-free
    return n->value;
}

int drop_on_error(struct node *n, int err) {
    if (err) {
        free(n);
        return -1;
    }
    // ok: c-use-after-free
    return n->value;
}

int drop_and_reset(struct node *n, int stale) {
    if (stale) {
        free(n);
        n = NULL;
    }
    // ok: c-use-after-free
    return n ? n->value : 0;
}

void free_twice_maybe(char *buf, int err) {
    // ruleid: c-double-free
    if (err)
        free(buf);
    free(buf);
}

void free_once_maybe(char *buf, int err) {
    // ok: c-double-free
    if (err)
        free(buf);
    buf = NULL;
    free(buf);
}

void rename_conf(struct priv *priv, const struct config *p) {
    // ruleid: c-dangling-field-after-free
    kfree(priv->ctrl.fname);
    memcpy(&priv->ctrl, p, sizeof(priv->ctrl));
    if (p->fname) {
        priv->ctrl.fname = copy_name(p->fname);
    }
    drop_firmware(priv);
}

void rename_conf_reset(struct priv *priv, const struct config *p) {
    // ok: c-dangling-field-after-free
    kfree(priv->ctrl.fname);
    priv->ctrl.fname = NULL;
    memcpy(&priv->ctrl, p, sizeof(priv->ctrl));
    if (p->fname) {
        priv->ctrl.fname = copy_name(p->fname);
    }
}

void release_all(struct node *n) {
    // ok: c-dangling-field-after-free
    free(n->name);
    log_release(n);
    free(n);
}

void rename_either(struct priv *priv, const struct config *p) {
    // ok: c-dangling-field-after-free
    kfree(priv->name);
    if (p->fname) {
        priv->name = copy_name(p->fname);
    } else {
        priv->name = NULL;
    }
}

void close_session(struct session *s) {
    if (s->multi)
        // ruleid: c-dangling-field-after-free
        multi_cleanup(s->multi);
    notify(s);
}

void close_session_cleared(struct session *s) {
    if (s->multi) {
        // ok: c-dangling-field-after-free
        multi_cleanup(s->multi);
        s->multi = NULL;
    }
    notify(s);
}

void drop_port(struct serial *s) {
    // ok: c-dangling-field-after-free
    serial_put(s->port);
}

SSL_CTX *legacy_context(RSA *rsa, BIGNUM *e) {
    // ruleid: c-weak-rsa-key
    RSA_generate_key_ex(rsa, 1024, e, NULL);
    // ok: c-weak-rsa-key
    RSA_generate_key_ex(rsa, 3072, e, NULL);
    // ruleid: c-tls-legacy-protocol
    SSL_CTX *old = SSL_CTX_new(TLSv1_method());
    // ok: c-tls-legacy-protocol
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    // ruleid: c-tls-legacy-protocol
    SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
    // ok: c-tls-legacy-protocol
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    return old ? old : ctx;
}

char *duplicate_short(const char *s) {
  char *d = malloc(strlen(s));
  // ruleid: c-allocation-without-terminator
  strcpy(d, s);
  return d;
}

char *duplicate(const char *s) {
  char *d = malloc(strlen(s) + 1);
  // ok: c-allocation-without-terminator
  strcpy(d, s);
  return d;
}
