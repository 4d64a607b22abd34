const char *keys(void) {
    // ruleid: c-secret-in-known-format
    const char *aws = "ASIAIOSFODNN7EXAMPLE";
    // ok: c-secret-in-known-format
    const char *region = "us-east-1";
    return region[0] ? aws : region;
}
