#include <fstream>
#include <string>
#include <sys/socket.h>
#include <libgen.h>

void store_upload(int sock) {
    char name[256] = "";
    char *cursor = name;
    size_t used = 0;
    recv(sock, (char *)(cursor + used), sizeof name - 1, 0);
    std::ofstream out;
    // ruleid: c-taint-path-traversal
    out.open(cursor);
    std::ifstream in;
    // ok: c-taint-path-traversal
    in.open(basename(cursor));
    std::ofstream log;
    // ok: c-taint-path-traversal
    log.open("/var/log/uploads.log");
}

void open_named_on_stdin(void) {
    char name[256] = "";
    fgets(name, sizeof name, stdin);
    std::ifstream in;
    // ok: c-taint-path-traversal
    in.open(name);
}
