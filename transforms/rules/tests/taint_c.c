#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <sqlite3.h>
#include <curl/curl.h>

void cgi(void) {
    char *query = getenv("QUERY_STRING");
    printf("Content-Type: text/html\r\n\r\n");
    // ruleid: c-taint-xss
    printf("<p>You searched for %s</p>", query);
    // ok: c-taint-xss
    printf("<p>You searched for %s</p>", html_escape(query));
    // ok: c-taint-xss
    printf("<p>%d results</p>", 3);
}

void serve(void) {
    char *name = getenv("PATH_INFO");
    // ruleid: c-taint-path-traversal
    FILE *f = fopen(name, "r");
    // ok: c-taint-path-traversal
    FILE *g = fopen(basename(name), "r");
    // ok: c-taint-path-traversal
    FILE *h = fopen("/var/data/index.html", "r");
}

void serve_checked(void) {
    char *name = getenv("PATH_INFO");
    char path[256];
    if (strstr(name, "..") != NULL)
        return;
    // ok: c-taint-path-traversal
    FILE *f = fopen(name, "r");
}

void serve_appended(void) {
    char path[256] = "/var/data/";
    char fixed[256] = "/var/data/";
    size_t used = strlen(path);
    char *name = getenv("PATH_INFO");
    if (name != NULL)
        strncat(path + used, name, sizeof path - used - 1);
    // ruleid: c-taint-path-traversal
    FILE *f = fopen(path, "r");
    // ruleid: c-taint-path-traversal
    HANDLE file = CreateFileA(path, GENERIC_READ, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    strcat(fixed, "index.html");
    // ok: c-taint-path-traversal
    FILE *g = fopen(fixed, "r");
}

void proxy(CURL *c) {
    // ruleid: c-taint-ssrf
    curl_easy_setopt(c, CURLOPT_URL, getenv("QUERY_STRING"));
    // ok: c-taint-ssrf
    curl_easy_setopt(c, CURLOPT_URL, "https://api.example.com/");
}
