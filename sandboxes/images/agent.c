/*
 * themis-agent: PID 1 of a warm sandbox container.
 *
 * The host sends framed requests on the container's stdin; each one names files
 * to write into a fresh /work/job, a command to run there (the launcher), its
 * environment, stdin, an output cap and a wall-clock limit. The agent runs it,
 * then kills every other process in the container and wipes /work and /tmp, so
 * nothing a program leaves behind reaches the next run. The reply goes to stdout.
 *
 * Why PID 1: the kernel drops signals sent to a namespace's init from inside it,
 * so a program running as the same user cannot kill the agent, and kill(-1)
 * from init reaches every other process. The agent also marks itself
 * non-dumpable, so programs cannot open its /proc/1/fd or memory.
 *
 * Wire format (little endian): u32 = 4 bytes, u64 = 8 bytes, str = u32 length + bytes.
 * Request:  "TMQ1" u32 nfiles {str path, u32 mode, str data}* u32 nargv {str}*
 *           u32 nenv {str "K=V"}* str stdin u32 output_cap u32 wall_ms
 *           u32 nreturn {str path}*
 * Reply:    "TMR1" i32 wait_status u32 timed_out u32 spawn_errno u64 wall_ns
 *           u64 cpu_ns u64 maxrss_kb u64 stdout_total str stdout u64 stderr_total
 *           str stderr u32 nreturn {str path, i32 present, str data}*
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define JOB_DIR "/work/job"
#define MAX_FIELD (256u * 1024u * 1024u)

typedef struct { char *data; uint32_t len; } str_t;

static void die(const char *what) {
    fprintf(stderr, "themis-agent: %s: %s\n", what, strerror(errno));
    exit(2);
}

static int read_full(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r == 0) return 0;
        if (r < 0) { if (errno == EINTR) continue; die("read"); }
        p += r; n -= (size_t)r;
    }
    return 1;
}

static void write_full(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) { if (errno == EINTR) continue; die("write"); }
        p += w; n -= (size_t)w;
    }
}

static uint32_t get_u32(void) {
    uint32_t v;
    if (!read_full(0, &v, 4)) die("truncated request");
    return v;
}

static str_t get_str(void) {
    str_t s;
    s.len = get_u32();
    if (s.len > MAX_FIELD) { errno = EMSGSIZE; die("request field too large"); }
    s.data = malloc(s.len + 1);
    if (!s.data) die("malloc");
    if (s.len && !read_full(0, s.data, s.len)) die("truncated request");
    s.data[s.len] = 0;
    return s;
}

/* Replies are assembled in memory and written with one write(2). */
static char *out_buf;
static size_t out_len, out_cap;

static void put(const void *p, size_t n) {
    if (out_len + n > out_cap) {
        out_cap = (out_len + n) * 2;
        out_buf = realloc(out_buf, out_cap);
        if (!out_buf) die("realloc");
    }
    memcpy(out_buf + out_len, p, n);
    out_len += n;
}
static void put_u32(uint32_t v) { put(&v, 4); }
static void put_u64(uint64_t v) { put(&v, 8); }
static void put_str(const char *p, uint32_t n) { put_u32(n); put(p, n); }

/* Removes everything under `path` (not `path` itself), restoring permissions a program may have taken away. */
static void wipe(const char *path) {
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (dfd < 0) return;
    DIR *d = fdopendir(dfd);
    if (!d) { close(dfd); return; }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode)) {
            chmod(child, 0700);
            wipe(child);
            rmdir(child);
        } else {
            unlink(child);
        }
    }
    closedir(d);
}

static void make_parents(char *path) {
    for (char *p = path + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        mkdir(path, 0755);
        *p = '/';
    }
}

static int write_file(const char *rel, uint32_t mode, str_t data) {
    char path[4096];
    if (rel[0] == '/' || strstr(rel, "..")) { errno = EINVAL; return -1; }
    snprintf(path, sizeof path, "%s/%s", JOB_DIR, rel);
    make_parents(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, mode & 07777);
    if (fd < 0) return -1;
    write_full(fd, data.data, data.len);
    fchmod(fd, mode & 07777);
    close(fd);
    return 0;
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

typedef struct { char *data; uint32_t len; uint64_t total; int fd; } capture_t;

static void drain(capture_t *c, uint32_t cap) {
    char buf[65536];
    for (;;) {
        ssize_t r = read(c->fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) { if (r == 0 || errno != EAGAIN) { close(c->fd); c->fd = -1; } return; }
        c->total += (uint64_t)r;
        uint32_t keep = c->len < cap ? cap - c->len : 0;
        if (keep > (uint32_t)r) keep = (uint32_t)r;
        memcpy(c->data + c->len, buf, keep);
        c->len += keep;
    }
}

/* Kills every process but ourselves and reaps them; `child` keeps its rusage if it is among them. */
static void sweep(pid_t child, int *child_status, struct rusage *child_ru, int *child_done) {
    kill(-1, SIGKILL);
    for (;;) {
        int st;
        struct rusage ru;
        pid_t p = wait4(-1, &st, 0, &ru);
        if (p < 0) { if (errno == EINTR) continue; break; }
        if (p == child && !*child_done) { *child_status = st; *child_ru = ru; *child_done = 1; }
    }
}

static void serve(str_t *files, uint32_t *modes, uint32_t nfiles, char **argv, char **envp, str_t in,
                  uint32_t cap, uint32_t wall_ms, str_t *returns, uint32_t nreturn) {
    wipe("/work");
    wipe("/tmp");
    mkdir(JOB_DIR, 0755);
    int spawn_errno = 0;
    for (uint32_t i = 0; i < nfiles && !spawn_errno; i++)
        if (write_file(files[2 * i].data, modes[i], files[2 * i + 1]) < 0) spawn_errno = errno;

    capture_t out = {malloc(cap + 1), 0, 0, -1}, err = {malloc(cap + 1), 0, 0, -1};
    int status = 0, done = 0, timed_out = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    uint64_t start = now_ns(), end = start;

    int po[2] = {-1, -1}, pe[2] = {-1, -1}, pi[2] = {-1, -1};
    if (!spawn_errno && (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || pipe2(pi, O_CLOEXEC))) spawn_errno = errno;
    pid_t pid = -1;
    if (!spawn_errno) {
        start = now_ns();
        pid = fork();
        if (pid < 0) spawn_errno = errno;
    }
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        dup2(pi[0], 0); dup2(po[1], 1); dup2(pe[1], 2);
        if (chdir(JOB_DIR) == 0) execve(argv[0], argv, envp);
        fprintf(stderr, "themis-agent: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    if (pid > 0) {
        close(pi[0]); close(po[1]); close(pe[1]);
        out.fd = po[0]; err.fd = pe[0];
        fcntl(out.fd, F_SETFL, O_NONBLOCK);
        fcntl(err.fd, F_SETFL, O_NONBLOCK);
        /* stdin is written up front; a program that never reads it sees EPIPE only on overflow. */
        fcntl(pi[1], F_SETFL, O_NONBLOCK);
        uint32_t in_off = 0;
        uint64_t deadline = start + (uint64_t)wall_ms * 1000000u;
        while (!done) {
            if (pi[1] >= 0) {
                ssize_t w = in.len > in_off ? write(pi[1], in.data + in_off, in.len - in_off) : 0;
                if (w > 0) in_off += (uint32_t)w;
                if (in_off >= in.len || (w < 0 && errno != EAGAIN)) { close(pi[1]); pi[1] = -1; }
            }
            struct pollfd fds[2] = {{out.fd, POLLIN, 0}, {err.fd, POLLIN, 0}};
            poll(fds, 2, 20);
            if (out.fd >= 0) drain(&out, cap);
            if (err.fd >= 0) drain(&err, cap);
            int st;
            struct rusage r;
            pid_t p;
            while ((p = wait4(-1, &st, WNOHANG, &r)) > 0)
                if (p == pid) { status = st; ru = r; done = 1; end = now_ns(); }
            if (!done && now_ns() > deadline) { timed_out = 1; break; }
        }
        sweep(pid, &status, &ru, &done);
        if (!done || timed_out) end = now_ns();
        if (out.fd >= 0) drain(&out, cap);
        if (err.fd >= 0) drain(&err, cap);
        if (out.fd >= 0) close(out.fd);
        if (err.fd >= 0) close(err.fd);
        if (pi[1] >= 0) close(pi[1]);
    }

    out_len = 0;
    put("TMR1", 4);
    put_u32((uint32_t)status);
    put_u32((uint32_t)timed_out);
    put_u32((uint32_t)spawn_errno);
    put_u64(end - start);
    put_u64((uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u
            + (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u);
    put_u64((uint64_t)ru.ru_maxrss);
    put_u64(out.total); put_str(out.data, out.len);
    put_u64(err.total); put_str(err.data, err.len);
    put_u32(nreturn);
    for (uint32_t i = 0; i < nreturn; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", JOB_DIR, returns[i].data);
        put_str(returns[i].data, returns[i].len);
        int fd = strstr(returns[i].data, "..") ? -1 : open(path, O_RDONLY | O_NOFOLLOW);
        put_u32(fd >= 0);
        capture_t c = {malloc(cap + 1), 0, 0, fd};
        if (fd >= 0) drain(&c, cap);
        put_str(c.data, c.len);
        if (c.fd >= 0) close(c.fd);
        free(c.data);
    }
    write_full(1, out_buf, out_len);
    free(out.data);
    free(err.data);
    wipe("/work");
    wipe("/tmp");
}

int main(void) {
    prctl(PR_SET_DUMPABLE, 0);
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        char magic[4];
        if (!read_full(0, magic, 4)) return 0;
        if (memcmp(magic, "TMQ1", 4)) { errno = EPROTO; die("bad request magic"); }
        uint32_t nfiles = get_u32();
        str_t *files = calloc(2 * (size_t)nfiles + 1, sizeof *files);
        uint32_t *modes = calloc((size_t)nfiles + 1, sizeof *modes);
        for (uint32_t i = 0; i < nfiles; i++) {
            files[2 * i] = get_str();
            modes[i] = get_u32();
            files[2 * i + 1] = get_str();
        }
        uint32_t nargv = get_u32();
        char **argv = calloc((size_t)nargv + 1, sizeof *argv);
        for (uint32_t i = 0; i < nargv; i++) argv[i] = get_str().data;
        uint32_t nenv = get_u32();
        char **envp = calloc((size_t)nenv + 1, sizeof *envp);
        for (uint32_t i = 0; i < nenv; i++) envp[i] = get_str().data;
        str_t in = get_str();
        uint32_t cap = get_u32();
        uint32_t wall_ms = get_u32();
        uint32_t nreturn = get_u32();
        str_t *returns = calloc((size_t)nreturn + 1, sizeof *returns);
        for (uint32_t i = 0; i < nreturn; i++) returns[i] = get_str();
        if (nargv == 0) { errno = EINVAL; die("empty command"); }

        serve(files, modes, nfiles, argv, envp, in, cap, wall_ms, returns, nreturn);

        for (uint32_t i = 0; i < 2 * nfiles; i++) free(files[i].data);
        for (uint32_t i = 0; i < nargv; i++) free(argv[i]);
        for (uint32_t i = 0; i < nenv; i++) free(envp[i]);
        for (uint32_t i = 0; i < nreturn; i++) free(returns[i].data);
        free(files); free(modes); free(argv); free(envp); free(in.data); free(returns);
    }
}
