#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct item { int size; char *name; struct item *next; };
struct ctx { struct item *cur; char *buf; void (*destroy)(struct item *); };

int home_length(void) {
    // ruleid: c-unchecked-nullable-return
    char *home = getenv("HOME");
    return strlen(home);
}

int home_length_checked(void) {
    // ok: c-unchecked-nullable-return
    char *home = getenv("HOME");
    if (home == NULL)
        return 0;
    return strlen(home);
}

const char *extension(const char *file) {
    // ok: c-unchecked-nullable-return
    const char *dot = strrchr(file, '.');
    return dot ? dot + 1 : "";
}

int first_line(const char *path, char *line, int size) {
    FILE *f;
    // ruleid: c-unchecked-nullable-return
    f = fopen(path, "r");
    fgets(line, size, f);
    return fclose(f);
}

int config_lines(const char *path, char *line, int size) {
    FILE *f;
    // ruleid: c-unchecked-nullable-return
    f = fopen(path, "r");
    if (f->_flags & 1)
        return 0;
    fgets(line, size, f);
    return fclose(f);
}

int config_lines_checked(const char *path, char *line, int size) {
    // ok: c-unchecked-nullable-return
    FILE *f = fopen(path, "r");
    if (!f || ferror(f))
        return 0;
    fgets(line, size, f);
    return fclose(f);
}

int password_matches(const char *stored, const char *given) {
    // ruleid: c-nullable-return-passed-on
    return strcmp(stored, crypt(given, stored)) == 0;
}

int password_matches_checked(const char *stored, const char *given) {
    char *hashed = crypt(given, stored);
    if (!hashed)
        return 0;
    // ok: c-nullable-return-passed-on
    return strcmp(stored, hashed) == 0;
}

int columns(void) {
    // ruleid: c-nullable-return-passed-on
    return atoi(getenv("COLUMNS"));
}

int item_release(struct item *it);
int item_destroy(struct item *it);

int size_after_release(struct item *it) {
    item_release(it);
    // ruleid: c-use-after-release
    return it->size;
}

int size_before_release(struct item *it) {
    // ok: c-use-after-release
    int size = it->size;
    item_release(it);
    return size;
}

void drop_current(struct ctx *c, struct item *it) {
    c->destroy(it);
    // ruleid: c-use-after-release
    c->cur = it->next;
}

void reuse_after_release(struct item *it, struct item *other) {
    item_release(it);
    it = other;
    // ok: c-use-after-release
    it->size = 0;
}

void release_twice(struct item *it, int failed) {
    // ruleid: c-double-release
    item_destroy(it);
    if (failed)
        goto error;
    return;
error:
    item_destroy(it);
}

int release_once(struct item *it, int failed) {
    if (failed)
        goto error;
    // ok: c-double-release
    item_destroy(it);
    return 0;
error:
    item_destroy(it);
    return -1;
}

void stop_iteration(struct ctx *c) {
    // ruleid: c-freed-alias-of-field
    char *buf = c->buf;
    if (buf) {
        free(buf);
    }
}

void stop_iteration_cleared(struct ctx *c) {
    // ok: c-freed-alias-of-field
    char *buf = c->buf;
    if (buf) {
        free(buf);
        c->buf = NULL;
    }
}

char *concat_path_file(const char *dir, const char *name);
int is_plain_file_name(const char *name);

int remove_item(const char *dir, const char *name) {
    // ruleid: c-path-join-unchecked-name
    char *path = concat_path_file(dir, name);
    int res = unlink(path);
    free(path);
    return res;
}

int remove_item_checked(const char *dir, const char *name) {
    if (!is_plain_file_name(name))
        return -1;
    // ok: c-path-join-unchecked-name
    char *path = concat_path_file(dir, name);
    int res = unlink(path);
    free(path);
    return res;
}

const char *find_value(const char *key);

int port_of(const char *key) {
    int port;
    // ruleid: c-lookup-result-passed-unchecked
    const char *text = find_value(key);
    port = atoi(text);
    return port;
}

int port_of_checked(const char *key) {
    int port;
    // ok: c-lookup-result-passed-unchecked
    const char *text = find_value(key);
    if (!text)
        return -1;
    port = atoi(text);
    return port;
}

struct klass { int kind; struct klass *super; };

struct klass *real_class(struct klass *cl) {
    // ruleid: c-linked-walk-unchecked
    while (cl->kind == 1) {
        cl = cl->super;
    }
    return cl;
}

struct klass *real_class_checked(struct klass *cl) {
    // ok: c-linked-walk-unchecked
    while (cl->kind == 1) {
        cl = cl->super;
        if (cl == NULL) return NULL;
    }
    return cl;
}

void update_rows(struct line *l, int rows) {
    int i;
    // ruleid: c-linked-walk-unchecked
    for (i = 0; i < rows; i++, l = l->next) {
        if (l->len > 0)
            mark(l->number);
    }
}

void update_rows_checked(struct line *l, int rows) {
    int i;
    // ok: c-linked-walk-unchecked
    for (i = 0; i < rows; i++, l = l->next) {
        if (l == NULL)
            break;
        mark(l->number);
    }
}

void update_all(struct line *l) {
    // ok: c-linked-walk-unchecked
    for (; l; l = l->next) {
        mark(l->number);
    }
}

void object_unref(struct item *it);
int item_kind(struct item *it);

int kind_after_unref(struct item *it) {
    object_unref(it);
    // ruleid: c-use-after-release
    return item_kind(it);
}

int kind_before_unref(struct item *it) {
    // ok: c-use-after-release
    int kind = item_kind(it);
    object_unref(it);
    return kind;
}

struct stmt { int kind; };
void FreeStmt(struct stmt *s);

void free_statement(struct item *append) {
    // ruleid: c-free-address-of-variable
    FreeStmt((struct stmt *) &append);
    // ok: c-free-address-of-variable
    FreeStmt((struct stmt *) append);
}

struct item *item_destroy_list(struct item *it);

struct item *grow_or_drop(struct item *it, int failed) {
    if (failed)
        return item_destroy_list(it);
    // ok: c-use-after-release
    it->size = 2;
    return it;
}
