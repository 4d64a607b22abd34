function clients() {
  // ruleid: js-secret-in-known-format
  const slack = "xoxb-1234567890-abcdefghijkl";
  // ok: js-secret-in-known-format
  const mail = "mailto:someone@example.com";
  return [slack, mail];
}
