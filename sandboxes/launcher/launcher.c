/* themis launcher: the small process between the Python worker and a sandboxed program.
 *
 *   launcher park PROCS_FILE... -- CMD ARGS   join cgroups now, then exec CMD (the sandbox, or serve)
 *   launcher serve [--drop-admin]              wait on fd 0 for a run, then run it (below)
 *   launcher run [options] -- CMD ARGS         fork CMD, wait, report measurements on a fd
 *
 * `park` and `serve` let the worker prepare a run's whole sandbox before it knows the run:
 * joining a cgroup is slow (the kernel waits for an RCU grace period, 5-40 ms), and so is
 * bubblewrap's set-up of namespaces and mounts. The worker keeps a few `park ... -- bwrap ...
 * -- launcher serve` parked: each already in its fresh cgroup and its sandbox, waiting.
 * If joining fails, `park` does not exec CMD but reports the failure on the run's stderr.
 *
 * `serve` reads fd 0, a unix stream socket, to its end: descriptors (SCM_RIGHTS) and the bytes
 * "CWD\0ENV...\0\0MOUNT...\0\0ARGV...\0". The first four descriptors become the run's fds 0-3
 * (stdin, stdout, stderr, report); each further one is a detached mount (open_tree) that MOUNT
 * ("ro /code", "rw /code") says where to attach, nosuid and nodev. With --drop-admin it then
 * gives up CAP_SYS_ADMIN and CAP_SETPCAP, kept only for those mounts and for giving them up
 * (bounding set included), enters CWD (empty: stays) and,
 * if ARGV[1] is "run", runs it in this process; otherwise it execs ARGV with ENV. End of stream
 * without a message: the worker is done with it, exit 0.
 *
 * `run` forks the program from this small process, so the program's peak RSS
 * (wait4) never inherits the Python parent's high-water mark. Options:
 *   --result-fd N   where the one-line report goes (close-on-exec for the program)
 *   --wall-ms N     kill everything after N ms of wall time
 *   --cpu S --fsize B --nofile N --stack B   rlimits of the program
 *   --uid U --gid G drop to this user before exec (when root)
 *   --core N        run the program and all it starts on CPU N only (A/B rounds: both sides of a
 *                   pair and their stubs share one core, so a neighbour pair cannot slow one side)
 *   --pidns         the program's tree is alone in our pid namespace with us (pid 1 under
 *                   bwrap --as-pid-1, the agent's child in docker): kill(-1) ends all of it, and
 *                   orphans that reach us are reaped so they do not hold pids
 *   --perf          count retired user-space instructions (hardware counter)
 *   --seccomp       deny the program (EPERM) the system calls Docker's default profile denies
 *                   (keyrings, ptrace, bpf, perf_event_open, userfaultfd, mounts and namespaces,
 *                   kernel modules, clocks, ...), loaded after our own set-up, right before exec:
 *                   keyrings are per uid, not per namespace, so without it one run could leave
 *                   keys that later runs of `nobody` read.
 * Report: "exec_errno= exit= signal= utime_us= stime_us= maxrss_kb= wall_ns= timed_out=
 *          runq_ns= running= instructions=" (-1: unknown; instructions: no hardware counters).
 * The wall limit does not count time the program spent waiting for a CPU while few of its own
 * threads were runnable (an overloaded machine), up to 3x the limit: timed_out=1 is the
 * program's timeout, timed_out=2 a machine too busy to finish it (runq_ns: the wait).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <grp.h>
#include <sched.h>
#include <seccomp.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void set_limit(int resource, rlim_t soft, rlim_t hard) {
    struct rlimit rl = {soft, hard};
    setrlimit(resource, &rl);
}

enum { RUN_FDS = 4, MAX_FDS = 8, MAX_MESSAGE = 1 << 20 };

extern char **environ;
static int run(int argc, char **argv);

/* Everything the worker sends until it closes its end: bytes (NUL-terminated) and descriptors. */
static char *receive(int *fds, int *nfds, size_t *size) {
    size_t capacity = 4096;
    char *message = malloc(capacity);
    *nfds = 0;
    *size = 0;
    for (;;) {
        if (!message) return NULL;
        if (*size + 1 >= capacity) {
            if (capacity >= MAX_MESSAGE) return NULL;
            capacity *= 2;
            message = realloc(message, capacity);
            continue;
        }
        union { struct cmsghdr align; char buf[CMSG_SPACE(sizeof(int) * MAX_FDS)]; } control;
        struct iovec iov = {message + *size, capacity - *size - 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                             .msg_controllen = sizeof control.buf};
        ssize_t got = recvmsg(0, &msg, MSG_CMSG_CLOEXEC);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) return NULL;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int k = 0; k < n; k++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof fd);
                if (*nfds < MAX_FDS) fds[(*nfds)++] = fd; else close(fd);
            }
        }
        if (got == 0) break;
        *size += (size_t)got;
    }
    message[*size] = 0;
    return message;
}

/* The run's stdin, stdout, stderr and report pipe become fds 0-3. */
static int take_stdio(int *fds, int nfds) {
    if (nfds < RUN_FDS) return -1;
    for (int k = 0; k < RUN_FDS; k++) { /* above 0-3 first, so no dup2 below clobbers another */
        int high = fcntl(fds[k], F_DUPFD_CLOEXEC, 10);
        close(fds[k]);
        fds[k] = high;
    }
    for (int k = 0; k < RUN_FDS; k++)
        if (fds[k] < 0 || dup2(fds[k], k) < 0) return -1;
    return 0;
}

static int park(int argc, char **argv) {
    char failure[512] = "";
    char pid[32];
    int i = 2;
    snprintf(pid, sizeof pid, "%d\n", getpid());
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        int fd = open(argv[i], O_WRONLY | O_CLOEXEC);
        if (!failure[0] && (fd < 0 || write(fd, pid, strlen(pid)) < 0))
            snprintf(failure, sizeof failure, "cannot join cgroup %s: %s", argv[i], strerror(errno));
        if (fd >= 0) close(fd);
    }
    if (i + 1 >= argc) return 125;
    if (!failure[0]) {
        execvp(argv[i + 1], argv + i + 1);
        snprintf(failure, sizeof failure, "cannot execute %s: %s", argv[i + 1], strerror(errno));
    }
    int fds[MAX_FDS], nfds;
    size_t size;
    char *message = receive(fds, &nfds, &size);
    if (message && size == 0 && nfds == 0) return 0; /* unparked without a run */
    if (message && take_stdio(fds, nfds) == 0) fprintf(stderr, "themis launcher: %s\n", failure);
    return 125;
}

/* Give up CAP_SYS_ADMIN and CAP_SETPCAP (needed only to shrink the bounding set) for good. */
static int drop_admin(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    const unsigned int gone = (1u << CAP_SYS_ADMIN) | (1u << CAP_SETPCAP);
    if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) || prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0)) return -1;
    if (syscall(SYS_capget, &header, data)) return -1;
    data[0].effective &= ~gone;
    data[0].permitted &= ~gone;
    data[0].inheritable &= ~gone;
    if (syscall(SYS_capset, &header, data)) return -1;
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

static int serve(int argc, char **argv) {
    int fds[MAX_FDS], nfds, admin = argc > 2 && !strcmp(argv[2], "--drop-admin");
    size_t size;
    char *message = receive(fds, &nfds, &size);
    if (!message) return 125;
    if (size == 0 && nfds == 0) return 0; /* unparked without a run */
    if (take_stdio(fds, nfds)) return 125;

    char **fields = malloc((size + 2) * sizeof *fields), *end = message + size, *p = message;
    int count = 0, env_end = -1, mounts_end = -1;
    if (!fields) return 125;
    while (p < end) {
        if (!*p && count > 0) {
            if (env_end < 0) env_end = count;
            else if (mounts_end < 0) mounts_end = count;
        }
        fields[count++] = p;
        p += strlen(p) + 1;
    }
    fields[count] = NULL;
    if (mounts_end < 0 || mounts_end + 1 >= count || mounts_end - env_end - 1 != nfds - RUN_FDS) {
        fprintf(stderr, "themis launcher: malformed run message\n");
        return 125;
    }
    for (int k = env_end + 1; k < mounts_end; k++) {
        const char *target = fields[k] + 3;
        unsigned long flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV;
        if (!strncmp(fields[k], "ro ", 3)) flags |= MS_RDONLY;
        else if (strncmp(fields[k], "rw ", 3)) target = NULL;
        int tree = fds[RUN_FDS + k - env_end - 1];
        if (!target || syscall(SYS_move_mount, tree, "", AT_FDCWD, target, 4 /* MOVE_MOUNT_F_EMPTY_PATH */)
            || mount(NULL, target, NULL, flags, NULL)) {
            fprintf(stderr, "themis launcher: cannot mount %s: %s\n", fields[k], strerror(errno));
            return 125;
        }
        close(tree);
    }
    if (admin && drop_admin()) {
        fprintf(stderr, "themis launcher: cannot drop CAP_SYS_ADMIN: %s\n", strerror(errno));
        return 125;
    }
    if (fields[0][0] && chdir(fields[0])) {
        fprintf(stderr, "themis launcher: cannot enter %s: %s\n", fields[0], strerror(errno));
        return 125;
    }
    fields[env_end] = NULL; /* ends the environment */
    environ = fields + 1;
    char **command = fields + mounts_end + 1;
    if (command[1] && !strcmp(command[1], "run")) return run(count - mounts_end - 1, command);
    execvp(command[0], command);
    fprintf(stderr, "themis launcher: cannot execute %s: %s\n", command[0], strerror(errno));
    return 126;
}

static int open_instruction_counter(pid_t pid) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_HARDWARE;
    attr.config = PERF_COUNT_HW_INSTRUCTIONS;
    attr.disabled = 1;
    attr.enable_on_exec = 1;
    attr.inherit = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &attr, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* Time the task spent runnable but waiting for a CPU: high means the machine, not the program, was slow. */
static long long runqueue_ns(pid_t pid) {
    char path[64];
    long long on_cpu = 0, waiting = 0;
    snprintf(path, sizeof path, "/proc/%d/schedstat", pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    if (fscanf(f, "%lld %lld", &on_cpu, &waiting) != 2) waiting = -1;
    fclose(f);
    return waiting;
}

/* Runnable threads in our pid namespace (without us): many means the program loads the CPUs itself. */
static int running_in_namespace(void) {
    DIR *proc = opendir("/proc");
    struct dirent *p, *t;
    int running = 0;
    if (!proc) return -1;
    while ((p = readdir(proc))) {
        if (p->d_name[0] < '1' || p->d_name[0] > '9' || atoi(p->d_name) == getpid()) continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/task", p->d_name);
        DIR *tasks = opendir(path);
        if (!tasks) continue;
        while ((t = readdir(tasks))) {
            if (t->d_name[0] == '.') continue;
            char stat[600], buf[512];
            snprintf(stat, sizeof stat, "%s/%s/stat", path, t->d_name);
            FILE *f = fopen(stat, "r");
            if (!f) continue;
            size_t n = fread(buf, 1, sizeof buf - 1, f);
            fclose(f);
            buf[n] = 0;
            char *close_paren = strrchr(buf, ')');
            if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'R') running++;
        }
        closedir(tasks);
    }
    closedir(proc);
    return running;
}

static void kill_tree(pid_t child, int pidns) {
    if (pidns) kill(-1, SIGKILL); /* everything in our namespace but us (pid 1) */
    else kill(-child, SIGKILL);   /* the program's process group */
}

/* What Docker's default seccomp profile (moby profiles/seccomp/default.json) denies an unprivileged
 * container, by name: names this kernel's headers do not know are skipped. */
static const char *const DENIED[] = {
    "acct", "add_key", "bpf", "clock_adjtime", "clock_settime", "settimeofday", "adjtimex", "stime",
    "create_module", "delete_module", "finit_module", "init_module", "get_kernel_syms", "query_module",
    "fanotify_init", "io_uring_setup", "io_uring_enter", "io_uring_register", "ioperm", "iopl", "kcmp",
    "kexec_file_load", "kexec_load", "keyctl", "lookup_dcookie", "mount", "umount", "umount2", "move_mount",
    "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "name_to_handle_at",
    "open_by_handle_at", "nfsservctl", "perf_event_open", "pivot_root", "chroot", "process_vm_readv",
    "process_vm_writev", "ptrace", "quotactl", "quotactl_fd", "reboot", "request_key", "setns", "unshare",
    "swapon", "swapoff", "sysfs", "_sysctl", "syslog", "uselib", "userfaultfd", "ustat", "vm86", "vm86old",
    "vhangup", "pidfd_getfd", "set_mempolicy", "mbind", "move_pages", "migrate_pages", NULL};

static int deny_syscalls(void) {
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) return ENOMEM;
    int rc = 0;
    for (int i = 0; DENIED[i] && !rc; i++) {
        int nr = seccomp_syscall_resolve_name(DENIED[i]);
        if (nr != __NR_SCMP_ERROR) rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    }
    if (!rc) rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc < 0 ? -rc : rc;
}

static int run(int argc, char **argv) {
    int result_fd = -1, pidns = 0, perf = 0, filter = 0, i;
    long long wall_ms = 0, cpu = 0, fsize = -1, nofile = -1, stack = -1, core = -1;
    long uid = -1, gid = -1;
    for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *o = argv[i];
        if (!strcmp(o, "--pidns")) { pidns = 1; continue; }
        if (!strcmp(o, "--perf")) { perf = 1; continue; }
        if (!strcmp(o, "--seccomp")) { filter = 1; continue; }
        if (i + 1 >= argc) return 125;
        long long v = atoll(argv[++i]);
        if (!strcmp(o, "--result-fd")) result_fd = (int)v;
        else if (!strcmp(o, "--wall-ms")) wall_ms = v;
        else if (!strcmp(o, "--cpu")) cpu = v;
        else if (!strcmp(o, "--fsize")) fsize = v;
        else if (!strcmp(o, "--nofile")) nofile = v;
        else if (!strcmp(o, "--stack")) stack = v;
        else if (!strcmp(o, "--core")) core = v;
        else if (!strcmp(o, "--uid")) uid = (long)v;
        else if (!strcmp(o, "--gid")) gid = (long)v;
        else { fprintf(stderr, "themis launcher: unknown option %s\n", o); return 125; }
    }
    if (i + 1 >= argc || result_fd < 0) return 125;
    char **cmd = argv + i + 1;
    fcntl(result_fd, F_SETFD, FD_CLOEXEC);

    int go[2], err[2];
    if (pipe2(go, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) return 125;
    sigset_t chld, old;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &old);

    pid_t child = fork();
    if (child < 0) return 125;
    if (child == 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        setpgid(0, 0);
        if (cpu > 0) set_limit(RLIMIT_CPU, (rlim_t)cpu, (rlim_t)cpu + 1);
        if (fsize >= 0) set_limit(RLIMIT_FSIZE, (rlim_t)fsize, (rlim_t)fsize);
        if (nofile >= 0) set_limit(RLIMIT_NOFILE, (rlim_t)nofile, (rlim_t)nofile);
        if (stack >= 0) set_limit(RLIMIT_STACK, (rlim_t)stack, (rlim_t)stack);
        set_limit(RLIMIT_CORE, 0, 0);
        int e = 0;
        if (core >= 0) {
            cpu_set_t one;
            CPU_ZERO(&one);
            if (core >= CPU_SETSIZE) e = EINVAL;
            else { CPU_SET((int)core, &one); if (sched_setaffinity(0, sizeof one, &one)) e = errno; }
        }
        if (!e && gid >= 0 && (setgroups(0, NULL) || setresgid(gid, gid, gid))) e = errno;
        if (!e && uid >= 0 && setresuid(uid, uid, uid)) e = errno;
        if (!e) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (!e && filter) e = deny_syscalls();
        char byte;
        if (!e && read(go[0], &byte, 1) != 1) e = EPIPE;
        if (!e) { execvp(cmd[0], cmd); e = errno; }
        (void)!write(err[1], &e, sizeof e);
        _exit(127);
    }
    close(err[1]);
    close(go[0]);
    int counter = perf ? open_instruction_counter(child) : -1;
    int64_t start = now_ns(), deadline = start + wall_ms * 1000000LL;
    int ncpu = core >= 0 ? 1 : (int)sysconf(_SC_NPROCESSORS_ONLN); /* the CPUs the program may use */
    (void)!write(go[1], "g", 1);
    close(go[1]);

    int status = 0, timed_out = 0, running = -1;
    long long runq = -1;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        struct rusage any;
        int any_status;
        pid_t got = wait4(pidns ? -1 : child, &any_status, WNOHANG, &any);
        if (got == child) {
            status = any_status;
            ru = any;
            break;
        }
        if (got > 0) continue; /* an orphan the program left to us (pid 1): reaped, next */
        if (got < 0 && errno != EINTR) break;
        struct timespec wait_for = {0, 100000000};
        if (wall_ms > 0) {
            int64_t left = deadline - now_ns();
            if (left <= 0) {
                /* Time spent waiting for a CPU does not count against the program while its own
                 * threads leave the CPUs to others; up to 3x the limit, then it is the machine's fault. */
                int64_t elapsed = now_ns() - start;
                runq = runqueue_ns(child);
                if (pidns) running = running_in_namespace();
                int own_busy = running > ncpu;
                if (!own_busy && runq > 0 && elapsed - runq < wall_ms * 1000000LL) {
                    if (elapsed < 3 * wall_ms * 1000000LL) {
                        deadline = start + wall_ms * 1000000LL + runq;
                        continue;
                    }
                    timed_out = 2;
                } else {
                    timed_out = 1;
                }
                kill_tree(child, pidns);
                wait4(child, &status, 0, &ru);
                break;
            }
            if (left < 100000000) wait_for.tv_nsec = (long)left;
        }
        sigtimedwait(&chld, NULL, &wait_for);
    }
    int64_t wall = now_ns() - start;
    kill_tree(child, pidns); /* daemons left behind by the program */

    int exec_errno = 0;
    if (read(err[0], &exec_errno, sizeof exec_errno) != (ssize_t)sizeof exec_errno) exec_errno = 0;
    long long instructions = -1;
    if (counter >= 0) {
        uint64_t count;
        if (read(counter, &count, sizeof count) == (ssize_t)sizeof count) instructions = (long long)count;
    }
    char line[512];
    int n = snprintf(line, sizeof line,
                     "exec_errno=%d exit=%d signal=%d utime_us=%lld stime_us=%lld maxrss_kb=%ld wall_ns=%lld "
                     "timed_out=%d runq_ns=%lld running=%d instructions=%lld\n",
                     exec_errno, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                     WIFSIGNALED(status) ? WTERMSIG(status) : 0,
                     (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec,
                     (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec,
                     ru.ru_maxrss, (long long)wall, timed_out, runq, running, instructions);
    (void)!write(result_fd, line, (size_t)n);
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "park")) return park(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "serve")) return serve(argc, argv);
    if (argc > 1 && !strcmp(argv[1], "run")) return run(argc, argv);
    fprintf(stderr, "usage: launcher park PROCS_FILE... -- CMD | launcher serve [--drop-admin] | launcher run [options] -- CMD\n");
    return 125;
}
