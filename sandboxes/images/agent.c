/*
 * themis-agent: PID 1 of a warm sandbox container.
 *
 * The host sends framed requests on the container's stdin; each one names files
 * to write into a fresh /code (read-only during runs, writable for compiles), a command to run (the launcher), its working
 * directory, environment, stdin, an output cap and a wall-clock limit. The agent
 * runs it with fd 3 as a report pipe, kills every process when a stream exceeds
 * the cap, and afterwards kills every other process in the container and wipes
 * /code, /work, /tmp, /dev/shm and System V IPC objects, so nothing a program leaves behind
 * reaches the next run.
 * The reply goes to stdout; for compiles it carries the files the compiler wrote.
 *
 * Why PID 1: the kernel drops signals sent to a namespace's init from inside it,
 * and kill(-1) from init reaches every other process. The agent also marks itself
 * non-dumpable, so programs cannot open its /proc/1/fd or memory.
 *
 * Users: the container starts as root with only CAP_KILL, CAP_SETUID and CAP_SETGID.
 * The agent keeps root as its real and saved uid and acts as the sandbox user
 * (effective and file-system uid SANDBOX_UID): it writes and wipes the sandbox user's
 * tmpfs and removes its IPC objects with that user's rights, and kill(-1) reaches the
 * program (our effective uid) and the launcher (our real uid). The launcher runs as
 * root and drops to the sandbox user right before exec, as in the process backend
 * (`launcher run --uid --gid`): a program can neither signal the launcher (EPERM) nor
 * open its /proc/<pid>/fd/3, the report pipe (EACCES), because neither belongs to it.
 *
 * Wire format (little endian): u32 = 4 bytes, u64 = 8 bytes, str = u32 length + bytes;
 * a request is sent as one line of base64, a reply as raw bytes.
 * Request:  "TMQ2" u32 nfiles {str path, u32 mode, str data}* str cwd u32 nargv {str}*
 *           u32 nenv {str "K=V"}* str stdin u32 output_cap u32 wall_ms u32 return_tree
 * Reply:    "TMR3" i32 wait_status u32 timed_out u32 overflow u32 spawn_errno u32 disk_full u64 wall_ns
 *           u64 stdout_total str stdout u64 stderr_total str stderr str report
 *           u32 nfiles {str path, u32 mode, str data}*   (every file under /code if return_tree)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CODE_DIR "/code"
#define SANDBOX_UID 10001 /* the program's user and group (sandboxes/docker.py, the Dockerfile) */
#define MAX_FIELD (256u * 1024u * 1024u)
#define REPORT_CAP 4096u

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

/* The request, decoded. Requests travel base64-encoded, one per line: docker's attach
 * stream treats ctrl-p ctrl-q as "detach", and those bytes never occur in base64. */
static unsigned char *req;
static size_t req_len, req_pos;

static int read_request(void) {
    static char *line;
    static size_t cap;
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            line = realloc(line, cap);
            if (!line) die("realloc");
        }
        ssize_t r = read(0, line + n, cap - n);
        if (r == 0) return 0;
        if (r < 0) { if (errno == EINTR) continue; die("read"); }
        char *nl = memchr(line + n, '\n', (size_t)r);
        n += (size_t)r;
        if (nl) { n = (size_t)(nl - line); break; }
    }
    static signed char value[256];
    if (!value['B']) {
        memset(value, -1, sizeof value);
        const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < 64; i++) value[(unsigned char)alphabet[i]] = (signed char)i;
    }
    free(req);
    req = malloc(n / 4 * 3 + 3);
    if (!req) die("malloc");
    req_len = req_pos = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = value[(unsigned char)line[i]];
        if (v < 0) continue; /* padding */
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) { bits -= 8; req[req_len++] = (unsigned char)(acc >> bits); }
    }
    return 1;
}

static void take(void *dst, size_t n) {
    if (req_len - req_pos < n) { errno = EPROTO; die("truncated request"); }
    memcpy(dst, req + req_pos, n);
    req_pos += n;
}

static uint32_t get_u32(void) {
    uint32_t v;
    take(&v, 4);
    return v;
}

static str_t get_str(void) {
    str_t s;
    s.len = get_u32();
    if (s.len > MAX_FIELD) { errno = EMSGSIZE; die("request field too large"); }
    s.data = malloc(s.len + 1);
    if (!s.data) die("malloc");
    take(s.data, s.len);
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

/* Calls visit(child path, its lstat) for every entry of directory `path`. */
static void each_entry(const char *path, void (*visit)(const char *, const struct stat *)) {
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child[4096];
        snprintf(child, sizeof child, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(child, &st) == 0) visit(child, &st);
    }
    closedir(d);
}

static void wipe(const char *path);

static void wipe_entry(const char *child, const struct stat *st) {
    if (S_ISDIR(st->st_mode)) {
        wipe(child);
        rmdir(child);
    } else {
        unlink(child);
    }
}

/* Removes everything under `path` (not `path` itself), restoring permissions a program may have taken away. */
static void wipe(const char *path) {
    chmod(path, 0755);
    each_entry(path, wipe_entry);
}

/* The container's IPC namespace outlives a run: remove every System V object the run created
 * (ours: same uid), read from /proc/sysvipc/{shm,msg,sem} (second column: the id). */
static void wipe_sysv(const char *table, int which) {
    FILE *fh = fopen(table, "r");
    if (!fh) return;
    char line[512];
    int id, first = 1;
    while (fgets(line, sizeof line, fh)) {
        if (first) { first = 0; continue; }  /* the header */
        if (sscanf(line, "%*d %d", &id) != 1) continue;
        if (which == 0) shmctl(id, IPC_RMID, NULL);
        else if (which == 1) msgctl(id, IPC_RMID, NULL);
        else semctl(id, 0, IPC_RMID);
    }
    fclose(fh);
}

static void wipe_all(void) {
    wipe(CODE_DIR);
    wipe("/work");
    wipe("/tmp");
    wipe("/dev/shm");
    wipe_sysv("/proc/sysvipc/shm", 0);
    wipe_sysv("/proc/sysvipc/msg", 1);
    wipe_sysv("/proc/sysvipc/sem", 2);
}

static void seal(const char *path);

static void seal_entry(const char *child, const struct stat *st) {
    if (S_ISDIR(st->st_mode)) seal(child);
    else if (S_ISREG(st->st_mode)) chmod(child, st->st_mode & 0555);
}

/* Takes write permission away under /code for a run, so the program cannot alter its own build. */
static void seal(const char *path) {
    each_entry(path, seal_entry);
    chmod(path, 0555);
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
    snprintf(path, sizeof path, "%s/%s", CODE_DIR, rel);
    make_parents(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    if (fd < 0) return -1;
    write_full(fd, data.data, data.len);
    fchmod(fd, mode & 0777);
    close(fd);
    return 0;
}

/* Appends every regular file under CODE_DIR/rel to the reply (for compiles: the artefacts). */
static uint32_t put_tree(const char *rel) {
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", CODE_DIR, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) return 0;
    uint32_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char child_rel[3072], child[4096];
        snprintf(child_rel, sizeof child_rel, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        snprintf(child, sizeof child, "%s/%s", CODE_DIR, child_rel);
        struct stat st;
        if (lstat(child, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) { count += put_tree(child_rel); continue; }
        if (!S_ISREG(st.st_mode) || st.st_size > MAX_FIELD) continue;
        int fd = open(child, O_RDONLY | O_NOFOLLOW);
        if (fd < 0) continue;
        char *data = malloc((size_t)st.st_size + 1);
        if (!data || !read_full(fd, data, (size_t)st.st_size)) { free(data); close(fd); continue; }
        close(fd);
        put_str(child_rel, (uint32_t)strlen(child_rel));
        put_u32(st.st_mode & 0777);
        put_str(data, (uint32_t)st.st_size);
        free(data);
        count++;
    }
    closedir(d);
    return count;
}

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

typedef struct { char *data; uint32_t len, cap; uint64_t total; int fd; } capture_t;

static void capture_init(capture_t *c, int fd, uint32_t cap) {
    c->data = malloc((size_t)cap + 1);
    if (!c->data) die("malloc");
    c->len = 0; c->cap = cap; c->total = 0; c->fd = fd;
    fcntl(fd, F_SETFL, O_NONBLOCK);
}

static void drain(capture_t *c) {
    char buf[65536];
    while (c->fd >= 0) {
        ssize_t r = read(c->fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && errno == EAGAIN) return;
        if (r <= 0) { close(c->fd); c->fd = -1; return; }
        c->total += (uint64_t)r;
        uint32_t keep = c->len < c->cap ? c->cap - c->len : 0;
        if (keep > (uint32_t)r) keep = (uint32_t)r;
        memcpy(c->data + c->len, buf, keep);
        c->len += keep;
    }
}

typedef struct {
    uint32_t nfiles; str_t *paths; uint32_t *modes; str_t *data;
    str_t cwd; char **argv; char **envp; str_t in;
    uint32_t output_cap, wall_ms, return_tree;
} request_t;

/* Kills every process but ourselves (we are init: kill(-1) spares only us) and reaps them all. */
static void sweep(pid_t child, int *status, int *done) {
    kill(-1, SIGKILL);
    for (;;) {
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p < 0) { if (errno == EINTR) continue; break; }
        if (p == child && !*done) { *status = st; *done = 1; }
    }
}

/* Whether the run filled a writable directory (under 1 MiB or no inode left): its ENOSPC is then the
 * sandbox's disk limit, as the memory limit is on the process backend, whose tmpfs counts as memory. */
static int disk_full(void) {
    const char *dirs[] = {CODE_DIR, "/work", "/tmp", "/dev/shm"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        struct statvfs fs;
        if (statvfs(dirs[i], &fs) == 0 && (fs.f_bavail * fs.f_frsize < (1u << 20) || fs.f_favail == 0)) return 1;
    }
    return 0;
}

static void serve(const request_t *q) {
    wipe_all();
    int spawn_errno = 0;
    for (uint32_t i = 0; i < q->nfiles && !spawn_errno; i++)
        if (write_file(q->paths[i].data, q->modes[i], q->data[i]) < 0) spawn_errno = errno;
    if (!q->return_tree) seal(CODE_DIR); /* compiles write into /code; runs only read it */

    capture_t out = {0}, err = {0}, report = {0};
    int status = 0, done = 0, timed_out = 0, overflow = 0;
    uint64_t start = now_ns(), end = start;
    int po[2], pe[2], pr[2], pi[2];
    pid_t pid = -1;
    if (!spawn_errno && (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC) || pipe2(pr, O_CLOEXEC) || pipe2(pi, O_CLOEXEC)))
        spawn_errno = errno;
    if (!spawn_errno) {
        start = now_ns();
        pid = fork();
        if (pid < 0) spawn_errno = errno;
    }
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        dup2(pi[0], 0); dup2(po[1], 1); dup2(pe[1], 2); dup2(pr[1], 3); /* dup2 clears close-on-exec */
        /* The launcher runs as root (it drops to the sandbox user itself, before exec). */
        if (chdir(q->cwd.data) == 0 && setresuid(0, 0, 0) == 0 && setresgid(0, 0, 0) == 0)
            execve(q->argv[0], q->argv, q->envp);
        fprintf(stderr, "themis-agent: cannot run %s in %s: %s\n", q->argv[0], q->cwd.data, strerror(errno));
        _exit(127);
    }
    if (pid > 0) {
        close(pi[0]); close(po[1]); close(pe[1]); close(pr[1]);
        capture_init(&out, po[0], q->output_cap);
        capture_init(&err, pe[0], q->output_cap);
        capture_init(&report, pr[0], REPORT_CAP);
        int in_fd = pi[1];
        fcntl(in_fd, F_SETFL, O_NONBLOCK);
        uint32_t in_off = 0;
        uint64_t deadline = start + (uint64_t)q->wall_ms * 1000000u;
        while (!done) {
            if (in_fd >= 0) { /* stdin is fed as the program reads it */
                ssize_t w = q->in.len > in_off ? write(in_fd, q->in.data + in_off, q->in.len - in_off) : 0;
                if (w > 0) in_off += (uint32_t)w;
                if (in_off >= q->in.len || (w < 0 && errno != EAGAIN)) { close(in_fd); in_fd = -1; }
            }
            struct pollfd fds[3] = {{out.fd, POLLIN, 0}, {err.fd, POLLIN, 0}, {report.fd, POLLIN, 0}};
            poll(fds, 3, in_fd >= 0 ? 1 : 20);
            drain(&out); drain(&err); drain(&report);
            if (out.total > q->output_cap || err.total > q->output_cap) { overflow = 1; break; }
            int st;
            pid_t p;
            while ((p = waitpid(-1, &st, WNOHANG)) > 0)
                if (p == pid) { status = st; done = 1; }
            if (!done && now_ns() > deadline) { timed_out = 1; break; }
        }
        end = now_ns();
        sweep(pid, &status, &done);
        drain(&out); drain(&err); drain(&report);
        if (in_fd >= 0) close(in_fd);
        capture_t *captures[3] = {&out, &err, &report};
        for (int i = 0; i < 3; i++)
            if (captures[i]->fd >= 0) { close(captures[i]->fd); captures[i]->fd = -1; }
    }

    out_len = 0;
    put("TMR3", 4);
    put_u32((uint32_t)status);
    put_u32((uint32_t)timed_out);
    put_u32((uint32_t)overflow);
    put_u32((uint32_t)spawn_errno);
    put_u32((uint32_t)disk_full());
    put_u64(end - start);
    put_u64(out.total); put_str(out.data, out.len);
    put_u64(err.total); put_str(err.data, err.len);
    put_str(report.data, report.len);
    size_t count_at = out_len;
    put_u32(0);
    if (q->return_tree && !spawn_errno) {
        uint32_t n = put_tree("");
        memcpy(out_buf + count_at, &n, 4);
    }
    write_full(1, out_buf, out_len);
    free(out.data); free(err.data); free(report.data);
    wipe_all();
}

int main(void) {
    if (getpid() != 1) { /* kill(-1) outside a PID namespace would hit every process of the user */
        fprintf(stderr, "themis-agent: refusing to run: it must be PID 1 of a sandbox container\n");
        return 2;
    }
    if (getuid() != 0) { /* a program running as ourselves could kill the launcher or forge its report */
        fprintf(stderr, "themis-agent: refusing to run: the container must start as root (see the user note above)\n");
        return 2;
    }
    if (setgroups(0, NULL) || setresgid(0, SANDBOX_UID, 0) || setresuid(0, SANDBOX_UID, 0)) die("setresuid");
    prctl(PR_SET_DUMPABLE, 0); /* after setresuid, which would reset it */
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        char magic[4];
        if (!read_request()) return 0;
        take(magic, 4);
        if (memcmp(magic, "TMQ2", 4)) { errno = EPROTO; die("bad request magic"); }
        request_t q;
        q.nfiles = get_u32();
        q.paths = calloc((size_t)q.nfiles + 1, sizeof *q.paths);
        q.data = calloc((size_t)q.nfiles + 1, sizeof *q.data);
        q.modes = calloc((size_t)q.nfiles + 1, sizeof *q.modes);
        for (uint32_t i = 0; i < q.nfiles; i++) {
            q.paths[i] = get_str();
            q.modes[i] = get_u32();
            q.data[i] = get_str();
        }
        q.cwd = get_str();
        uint32_t nargv = get_u32();
        q.argv = calloc((size_t)nargv + 1, sizeof *q.argv);
        for (uint32_t i = 0; i < nargv; i++) q.argv[i] = get_str().data;
        uint32_t nenv = get_u32();
        q.envp = calloc((size_t)nenv + 1, sizeof *q.envp);
        for (uint32_t i = 0; i < nenv; i++) q.envp[i] = get_str().data;
        q.in = get_str();
        q.output_cap = get_u32();
        q.wall_ms = get_u32();
        q.return_tree = get_u32();
        if (nargv == 0) { errno = EINVAL; die("empty command"); }

        serve(&q);

        for (uint32_t i = 0; i < q.nfiles; i++) { free(q.paths[i].data); free(q.data[i].data); }
        for (uint32_t i = 0; i < nargv; i++) free(q.argv[i]);
        for (uint32_t i = 0; i < nenv; i++) free(q.envp[i]);
        free(q.paths); free(q.data); free(q.modes); free(q.argv); free(q.envp); free(q.in.data); free(q.cwd.data);
    }
}
