int open_stream(const char *name) {
    // ruleid: c-unchecked-return-dereference
    Stream *s = Stream::Open(name);
    s->Rewind();
    // ok: c-unchecked-return-dereference
    Stream *t = Stream::Open(name);
    if (!t)
        return -1;
    t->Rewind();
    return 0;
}
