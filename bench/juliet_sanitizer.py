"""The sanitizer build (issue 17's third lever) on secure/insecure pairs: NIST Juliet's C/C++ cases.

SVEN's fixes have no tests, so the sanitizer build was never measured on pairs. A Juliet case can run
on its own: each row of a dev set from `bench/juliet_devset.py` (bad function against good) becomes two
programs, the function with the suite's support code (`testcasesupport/std_testcase.h` and `io.c`,
read from the suite's mirror, with the headers they include), the case file's own preprocessor lines
(its socket headers, its multi-token macros) and a `main` that calls it, fed the stdin
its weakness needs (INT_MAX for an overflow, INT_MIN for an underflow, a long line otherwise). Both run
once under ASan + UBSan through the pipeline's own stage (`transforms/sanitize.py`, process sandbox),
and the Security_Hardness rule labels the pair hearing semgrep alone (on the function, as
`bench/sven_check.py` does) and semgrep with the sanitizer. A program that does not build here (a
Windows-only case) leaves the sanitizer unheard on that pair, as in the pipeline.

    python bench/juliet_sanitizer.py --data /tmp/juliet/cm --split train --repo JULIET_MIRROR [--cwe CWE-121 ...]
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))  # run from anywhere

from bench.fix_devset import git  # noqa: E402
from bench.juliet_devset import SUPPORT_HEADER  # noqa: E402
from bench.rule_noise import sanitized  # noqa: E402
from bench.sven_check import candidate, table  # noqa: E402
from schemas.records import Candidate, IOCase, TestSpec  # noqa: E402
from transforms.label_config import LabelConfig  # noqa: E402
from transforms.label_rules import Side, security_rule  # noqa: E402
from transforms.security import SecurityConfig, scan_candidates  # noqa: E402

SUPPORT, HEADER = os.path.split(SUPPORT_HEADER)
# the CWEs whose flaw shows at run time: memory errors and signed overflow
MEMORY_CWES = ("CWE-121", "CWE-122", "CWE-124", "CWE-126", "CWE-127", "CWE-190", "CWE-191", "CWE-415", "CWE-416",
               "CWE-476", "CWE-680", "CWE-690")
STDIN = {"CWE-190": "2147483647\n", "CWE-191": "-2147483648\n"}
LONG_LINE = "A" * 200 + "\n"
FUNCTION_NAME = re.compile(r"\b(\w+)\s*\(\s*(void)?\s*\)\s*\{")


def support_code(repo: str) -> str:
    """The suite's header and io.c as one text, each quoted #include replaced by its file (once)."""
    seen: set[str] = set()

    def inline(name: str) -> str:
        if name in seen:
            return ""
        seen.add(name)
        text = git(repo, "show", f"HEAD:{SUPPORT}/{name}")
        return re.sub(r'^\s*#\s*include\s+"([\w.]+)"', lambda m: inline(m.group(1)), text, flags=re.M)

    return inline(HEADER) + "\n" + inline("io.c")


def case_directives(code: str) -> str:
    """A case file's preprocessor lines (its includes, its macros with their continuations, and the
    conditionals around them) without the suite's header, which `support_code` holds."""
    kept, continued = [], False
    for line in code.splitlines():
        if continued or line.lstrip().startswith("#"):
            if not re.match(rf'\s*#\s*include\s+"{re.escape(HEADER)}"', line):
                kept.append(line)
            continued = line.rstrip().endswith("\\")
    return "\n".join(kept)


def program(row: dict, side: str, index: int, support: str, directives: str = "") -> Candidate:
    """The row's function on `side` built into a whole program that calls it, after the support code
    and the case file's own directives, with its stdin case."""
    function = row[f"func_src_{side}"]
    name = FUNCTION_NAME.search(function).group(1)
    code = f"{support}\n{directives}\n{function}\n\nint main(void)\n{{\n    {name}();\n    return 0;\n}}\n"
    stdin = STDIN.get(row["vul_type"].upper(), LONG_LINE)
    base = candidate(row, side, index)
    return Candidate(candidate_id=f"{base.candidate_id}-program", task_id=base.task_id, language=base.language,
                     prompt=base.prompt, code=code, origin=base.origin,
                     tests=TestSpec(cases=[IOCase(stdin=stdin, expected_stdout="")]))


def check(rows: list[tuple[int, dict]], repo: str) -> tuple[list[str], list[dict]]:
    support = support_code(repo)
    functions = [candidate(r, side, i) for i, r in rows for side in ("before", "after")]
    semgrep = scan_candidates(functions, SecurityConfig(batch_size=500))
    paths = [r["func_name"].rsplit(":", 1)[0] for _, r in rows]  # the case file: "path:goodG2B"
    directives = {path: case_directives(git(repo, "show", f"HEAD:{path}")) for path in set(paths)}
    sanitizer = sanitized([program(r, side, i, support, directives[path])
                           for (i, r), path in zip(rows, paths) for side in ("before", "after")])
    per_cwe: dict[str, dict[str, collections.Counter]] = {"semgrep": collections.defaultdict(collections.Counter),
                                                         "semgrep + sanitizer": collections.defaultdict(collections.Counter)}
    details = []
    for k, (i, row) in enumerate(rows):
        cwe = row["vul_type"].upper()
        verdicts = {}
        for heard, with_sanitizer in (("semgrep", False), ("semgrep + sanitizer", True)):
            a, b = (Side(functions[j], security=semgrep[j], analyzers=(sanitizer[j],) if with_sanitizer else ())
                    for j in (2 * k, 2 * k + 1))
            verdict = security_rule(a, b, LabelConfig())
            winner = verdict.winner if verdict else None
            verdicts[heard] = winner
            stats = per_cwe[heard][cwe]
            stats["n"] += 1
            stats["right"] += winner == "b"
            stats["wrong"] += winner == "a"
            stats["errors"] += bool(sanitizer[2 * k].errors or sanitizer[2 * k + 1].errors)
        found = [sorted({f.rule_id for f in sanitizer[j].findings}) for j in (2 * k, 2 * k + 1)]
        for groups in per_cwe.values():  # the same sanitizer columns in both tables
            groups[cwe]["recall"] += bool(set(found[0]) - set(found[1]))
            groups[cwe]["inversion"] += bool(set(found[1]) - set(found[0]))
        details.append({"index": i, "cwe": cwe, "function": row["func_name"], "sanitizer_bad": found[0],
                        "sanitizer_good": found[1], "errors": sanitizer[2 * k].errors + sanitizer[2 * k + 1].errors,
                        **{f"winner ({heard})": w for heard, w in verdicts.items()}})
    lines = []
    for heard, groups in per_cwe.items():
        total = sum(groups.values(), collections.Counter())
        lines += ["", f"heard: {heard} (recall and inversions: a sanitizer finding on the bad or the good side "
                      f"only; {total['errors']} pairs with a side the sanitizer could not build or run)", ""]
        lines += table("CWE", groups, total)
    return lines, details


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="a directory from bench/juliet_devset.py --language C")
    parser.add_argument("--split", default="train", choices=("train", "val"))
    parser.add_argument("--repo", required=True, help="the Juliet C/C++ mirror the set was built from")
    parser.add_argument("--cwe", action="append", default=None, help="only this CWE (default: the memory CWEs)")
    parser.add_argument("--detail", default=None, help="write one JSON line per pair")
    args = parser.parse_args()
    cwes = {c.upper() for c in args.cwe} if args.cwe else set(MEMORY_CWES)
    with open(os.path.join(args.data, f"{args.split}.jsonl"), encoding="utf-8") as handle:
        rows = [(i, r) for i, r in enumerate(json.loads(line) for line in handle) if r["vul_type"].upper() in cwes]
    if not rows:
        parser.error(f"no rows of {', '.join(sorted(cwes))} in {args.data}/{args.split}.jsonl")
    lines, details = check(rows, args.repo)
    print("\n".join(lines))
    if args.detail:
        with open(args.detail, "w", encoding="utf-8") as out:
            out.writelines(json.dumps(d) + "\n" for d in details)


if __name__ == "__main__":
    main()
