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

function isTrustedSite(target, allowedHosts, file) {
  // ruleid: js-site-checked-by-substring
  if (target.indexOf('https://partner.example.org') >= 0) return true
  // ruleid: js-site-checked-by-substring
  if (target.includes('partner.com')) return true
  // ruleid: js-site-checked-by-substring
  if (target.startsWith('https://cdn.example.org')) return true
  // ruleid: js-site-checked-by-substring
  if (target.indexOf('partner.com') === 0) return true
  // ruleid: js-site-checked-by-substring
  if (target.endsWith('partner.com')) return true
  // ok: js-site-checked-by-substring
  if (target.startsWith('https://cdn.example.org/') || target.startsWith('https://cdn.example.org:8443')) return true
  // ok: js-site-checked-by-substring
  if (target.endsWith('.partner.com') || allowedHosts.includes('partner.com')) return true
  // ok: js-site-checked-by-substring
  if (file.endsWith('bundle.min.js') || file.includes('archive.tar.gz')) return false
  // ok: js-site-checked-by-substring
  return target.indexOf('https://') !== -1
}
