#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <math.h>

int index_checked_one_side(char *line) {
    int buffer[10] = {0};
    int data = atoi(line);
    if (data >= 0) {
        // ruleid: c-taint-index-unchecked
        buffer[data] = 1;
    }
    return buffer[0];
}

int index_checked_both_sides(char *line) {
    int buffer[10] = {0};
    int data = atoi(line);
    if (data >= 0 && data < 10) {
        // ok: c-taint-index-unchecked
        buffer[data] = 1;
    }
    return buffer[0];
}

int index_guarded(int data[], int ndata) {
    int i;
    if (scanf("%d", &i) != 1)
        return -1;
    if (i < 0 || ndata <= i)
        return -1;
    // ok: c-taint-index-unchecked
    return data[i];
}

int index_scanned(FILE *request, int data[]) {
    int i;
    fscanf(request, "%d", &i);
    // ruleid: c-taint-index-unchecked
    return data[i];
}

int contest_program(int counts[]) {
    int x;
    scanf("%d", &x);
    // ok: c-taint-index-unchecked
    counts[x]++;
    fscanf(stdin, "%d", &x);
    // ok: c-taint-integer-overflow
    return x + 1;
}

int index_from_length(char *line) {
    size_t n = strlen(line);
    // ok: c-taint-index-unchecked
    line[n - 1] = '\0';
    int i;
    for (i = 0; i < 10; i++) {
        // ok: c-taint-index-unchecked
        line[i] = 'a';
    }
    return 0;
}

void multiply(FILE *peer) {
    int data = 0;
    fscanf(peer, "%d", &data);
    if (data > 0) {
        // ruleid: c-taint-integer-overflow
        int result = data * 2;
        printf("%d", result);
    }
    if (data > 0 && data < INT_MAX / 2) {
        // ok: c-taint-integer-overflow
        int result = data * 2;
        printf("%d", result);
    }
}

void square(char *text) {
    int data = atoi(text);
    if (abs((long)data) <= (long)sqrt((double)INT_MAX)) {
        // ok: c-taint-integer-overflow
        int result = data * data;
        printf("%d", result);
    }
}

void decrement(char *text) {
    long data = strtol(text, NULL, 10);
    // ruleid: c-taint-integer-underflow
    data--;
    long other = strtol(text, NULL, 10);
    if (other > LONG_MIN) {
        // ok: c-taint-integer-underflow
        other--;
    }
    int constant = atoi("12");
    // ok: c-taint-integer-underflow
    constant--;
    char letter;
    sscanf(text, "%c", &letter);
    // ok: c-taint-integer-overflow
    printf("%c", letter + 1);
}

int parse_options(int argc, char **argv, int *counts) {
    int i, total = 0;
    for (i = 1; i + 1 < argc; i++) {
        // ok: c-taint-index-unchecked
        total = atoi(argv[++i]);
        // ok: c-taint-integer-overflow
        total = strtol(argv[i] + 1, NULL, 10);
    }
    int length = atoi(argv[1]);
    check_length(length);
    // ok: c-taint-integer-overflow
    counts[0] = length + 1;
    return total;
}

void copy_body(char *out, const char *header, unsigned (*read_line)(char *, unsigned)) {
    unsigned length = 0, done = 0;
    sscanf(header, "%u", &length);
    // ok: c-taint-integer-underflow
    while (done < length && read_line(out + done, length - done) > 0) {
        done += 1;
    }
}
