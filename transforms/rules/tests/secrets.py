def clients():
    # ruleid: python-secret-in-known-format
    token = "ghp_iR54dhCYg9Tfmoywi9xLmmKZrrnAw438BYh3"
    # ruleid: python-secret-in-known-format
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA..."
    # ok: python-secret-in-known-format
    public = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh..."
    return token, pem, public
