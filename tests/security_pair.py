"""One pair measured, run again by a sandbox report stage (security tests, sanitizer build) and judged
on security with its semgrep reports: the steps the tests of those two stages share."""
from __future__ import annotations

from typing import Callable

from schemas import Candidate
from transforms.execute import ExecuteConfig, measure_batch
from transforms.label_config import LabelConfig
from transforms.label_rules import Side, Verdict, security_rule
from transforms.security import scan_candidates
from transforms.store import Store


def judged_on_security(pair: tuple[Candidate, Candidate], reports_of: Callable, sandbox, config: ExecuteConfig,
                       store: Store) -> tuple[list, list, Verdict]:
    """(the pair's functional measurements, `reports_of`'s reports, the security verdict on both)."""
    functional = measure_batch(list(pair), config, sandbox, store).measurements
    reports = reports_of(list(pair), config, sandbox, store)
    sides = [Side(c, m, security=s, analyzers=(r,))
             for c, m, s, r in zip(pair, functional, scan_candidates(list(pair)), reports)]
    return functional, reports, security_rule(*sides, LabelConfig())
