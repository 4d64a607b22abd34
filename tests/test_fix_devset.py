"""bench/fix_devset.py: which commit messages name which weakness, and mining a real git history."""
import subprocess

from bench.fix_devset import DEFAULT_CWES, cwe_of, mine


def test_commit_messages_name_their_weakness():
    assert cwe_of("Fix XSS in the search box") == "CWE-79"
    assert cwe_of("[JENKINS-60563] Replace MD5 with SHA-256 in ConsistentHash") == "CWE-327"
    assert cwe_of("Replace PBKDF2-SHA1 with PBKDF2-SHA512") == "CWE-327"
    assert cwe_of("fix: get rid of math.random in utils.generateUUID") == "CWE-327"
    assert cwe_of("Use SecureRandom rather than ThreadLocalRandom (#16291)") == "CWE-327"
    assert cwe_of("Implement password hashing with bcrypt (#3793)") == "CWE-327"
    # a password hash that is only mentioned, or digests listed side by side, is not a crypto fix
    assert cwe_of("Don't send password hash to front-end") is None
    assert cwe_of("compare size, modification time, and md5, sha256 AND sha512") is None
    assert "CWE-327" not in DEFAULT_CWES  # the earlier sets rebuild byte for byte


def test_exception_exposure_fixes_are_told_from_logging_changes():
    assert cwe_of("Fix information exposure through stack trace issue. Log error instead.") == "CWE-209"
    assert cwe_of("Don't give non-admin users a full stacktrace on 500") == "CWE-209"
    assert cwe_of("Don't send Exception message in Production Environment") == "CWE-209"
    assert cwe_of("Disable stacktrace in error responses by default.") == "CWE-209"
    # a stack trace printed to a log, or shown on purpose, is not one
    assert cwe_of("Avoid printing stack trace for `ClosedChannelException` in agent launch log") is None
    assert cwe_of("fix: show stack trace on startup errors") is None
    assert "CWE-209" not in DEFAULT_CWES


def _git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_weak_crypto_fixes_are_mined_only_when_asked_for(tmp_path):
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "dev@example.org")
    _git(tmp_path, "config", "user.name", "dev")
    code = "import hashlib\n\n\ndef digest(data):\n    return hashlib.{}(data).hexdigest()\n"
    (tmp_path / "tokens.py").write_text(code.format("md5"))
    _git(tmp_path, "add", "tokens.py")
    _git(tmp_path, "commit", "-qm", "first")
    (tmp_path / "tokens.py").write_text(code.format("sha256"))
    _git(tmp_path, "commit", "-qam", "Replace MD5 with SHA-256 for tokens")
    assert mine(str(tmp_path), "Python", "MIT", "o/n") == []
    rows = mine(str(tmp_path), "Python", "MIT", "o/n", ("CWE-327",))
    assert [(r["vul_type"], r["func_name"], r["subject"]) for r in rows] == [
        ("cwe-327", "def digest(data):#1", "Replace MD5 with SHA-256 for tokens")]
    assert "hashlib.md5" in rows[0]["func_src_before"] and "hashlib.sha256" in rows[0]["func_src_after"]
