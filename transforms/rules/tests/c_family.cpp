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

char *duplicate_short(const char *s) {
  char *d = new char[strlen(s)];
  // ruleid: c-allocation-without-terminator
  strcpy(d, s);
  return d;
}

char *duplicate(const char *s) {
  char *d = new char[strlen(s) + 1];
  // ok: c-allocation-without-terminator
  strcpy(d, s);
  return d;
}
