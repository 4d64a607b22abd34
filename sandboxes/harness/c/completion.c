/* Linked into every C and C++ program (with -Wl,--wrap=exit): prints the run's completion token
 * on stderr when main returns, and only then. A `return` from main reaches exit() from inside libc,
 * which the wrap does not see; a call to exit() from the program's own code goes through
 * __wrap_exit and marks the run unfinished; _exit, quick_exit, abort and signals never run the
 * handler. Registered from a constructor, the handler runs after every atexit handler the program
 * registers (they run last-in first-out), so one of those that calls _exit(0) leaves no token. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

void __real_exit(int status) __attribute__((noreturn));

static char themis_token[80];
static volatile int themis_exit_called;

void __wrap_exit(int status) {
    themis_exit_called = 1;
    __real_exit(status);
}

static void themis_done(void) {
    size_t n = strlen(themis_token);
    if (themis_exit_called || n == 0) return;
    themis_token[n] = '\n';
    if (write(2, themis_token, n + 1) < 0) _exit(125);
}

__attribute__((constructor(101))) static void themis_start(void) {
    const char *token = getenv("THEMIS_COMPLETION");
    if (token && strlen(token) < sizeof themis_token - 1) strcpy(themis_token, token);
    unsetenv("THEMIS_COMPLETION");  /* the program's own code never sees it in its environment */
    atexit(themis_done);
}

#ifdef __cplusplus
}
#endif
