function allowedOrigin(origin) {
  // ruleid: js-hostname-regex-unescaped-dot
  if (/^https?:\/\/(www|beta).example.com$/.test(origin)) {
    return true;
  }
  // ruleid: js-hostname-regex-unescaped-dot
  const beta = new RegExp("^https://beta.example.org$");
  // ok: js-hostname-regex-unescaped-dot
  return /^https?:\/\/(www|beta)\.example\.com$/.test(origin) || beta.test(origin);
}
