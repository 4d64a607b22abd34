"""`themis doctor` on this machine: real checks, exact findings."""
from __future__ import annotations

import json

from pipelines.cli import main


def test_doctor_reports_isolation_languages_and_counters(capsys):
    code = main(["doctor", "--quick", "--json"])
    checks = {c["check"]: c for c in json.loads(capsys.readouterr().out)}
    assert code == 0
    for name in ("C", "Cpp", "CSharp", "Go", "Java", "JavaScript", "Python", "Ruby"):
        assert checks[f"language {name}"]["ok"], checks[f"language {name}"]
    assert checks["bubblewrap namespaces (pid, net, ipc, uts, mount)"]["ok"]
    assert checks["cgroups"]["detail"].startswith(("v1:", "v2:"))
    counters = checks["hardware instruction counters"]
    assert counters["ok"] or "perf_event_open refused" in counters["detail"]
    assert counters["ok"] or counters["fix"]
