import re


def allowed(target):
    # ruleid: python-hostname-regex-unescaped-dot
    if re.match(r"^(https?://)?(www|beta).example.com/", target):
        return True
    # ok: python-hostname-regex-unescaped-dot
    return bool(re.match(r"^(https?://)?(www|beta)\.example\.com/", target))
