import re


def allowed(target):
    # ruleid: python-hostname-regex-unescaped-dot
    if re.match(r"^(https?://)?(www|beta).example.com/", target):
        return True
    # ok: python-hostname-regex-unescaped-dot
    return bool(re.match(r"^(https?://)?(www|beta)\.example\.com/", target))


def trusted_site(target, allowed_hosts, path):
    # ruleid: python-site-checked-by-substring
    if "partner.com" in target:
        return True
    # ruleid: python-site-checked-by-substring
    if target.startswith("https://cdn.example.org"):
        return True
    # ruleid: python-site-checked-by-substring
    if target.endswith("partner.com"):
        return True
    # ruleid: python-site-checked-by-substring
    if target.find("https://partner.example.org/") != -1:
        return True
    # ok: python-site-checked-by-substring
    if target.startswith("https://cdn.example.org/") or target.endswith(".partner.com"):
        return True
    # ok: python-site-checked-by-substring
    if "partner.com" in allowed_hosts or path.endswith("setup.py"):
        return True
    # ok: python-site-checked-by-substring
    return "https://" in target
