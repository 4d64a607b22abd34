"""How many fixes of a dev set could a function-local analyzer label at all?

A rule, taint or pattern, that looks at one function can only say "vulnerable" where that function holds
a sink of the weakness: an HTML write for XSS, a file or path call for traversal, a command run for OS
command injection, a query for SQL, an outgoing request for SSRF, a redirect for an open redirect. This
counts, per CWE and language, the rows of a set in SVEN's format whose vulnerable function has any such
token. The token lists are deliberately loose (any of our languages' sink names, method names without
their receivers), so the figure is an upper bound on what any of our rules, semgrep or the field's
analyzers can label right. CSRF has no sink token (the flaw is a check that is missing) and is reported
with a ceiling of 0.

    python bench/sink_ceiling.py /tmp/main/fixdev/train.jsonl [more.jsonl ...]
"""
from __future__ import annotations

import argparse
import collections
import json
import re
from typing import Iterable

SINK_TOKENS = {
    "CWE-79": r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\.html\(|\.append\(|\.prepend\(|\.after\("
              r"|\.before\(|replaceWith|dangerouslySetInnerHTML|\$\(\s*[`\"']\s*<|\b(res|resp|response)\.(send|write|end)\("
              r"|render_template_string|Markup\(|mark_safe|HttpResponse\(|make_response|html_safe|\braw\(|\.write\("
              r"|Html\.Raw|HtmlString|getWriter|println\(|\bprint\(|<%=|\bsafe\b|Response\.Write|fmt\.Fprint"
              r"|template\.HTML|\.Write\(|\breturn\s+f[\"']",
    "CWE-22": r"\bopen\(|File\.|Files\.|\bfs\.|readFile|writeFile|createReadStream|sendFile|send_file|download"
              r"|FileInputStream|FileOutputStream|new File\(|Path\.|os\.(Open|Create|Remove|ReadFile|WriteFile|MkdirAll|Rename)"
              r"|ioutil\.|filepath\.|unlink|remove\(|rmtree|extract|Paths\.get|PhysicalFile|Directory\.|mkdir|rename",
    "CWE-78": r"exec|system\(|spawn|popen|Popen|subprocess|`|%x|Process\.Start|Runtime\.getRuntime|ProcessBuilder"
              r"|child_process|shell|Open3|command\(",
    "CWE-89": r"execute|query|Query|Exec|\braw|Raw|where\(|find_by_sql|createQuery|prepareStatement|SqlCommand|cursor|sql|SQL",
    "CWE-918": r"fetch\(|axios|request\(|requests\.|urlopen|http\.(Get|Post|Head|NewRequest)|\.Get\(|HttpClient|\bopen\("
               r"|Net::HTTP|URI\.open|RestTemplate|WebClient|openConnection|\bgot\(|curl",
    "CWE-601": r"redirect|Redirect|location|Location",
    "CWE-94": r"eval|Function\(|exec\(|compile\(|instance_eval|class_eval|send\(|public_send|constantize|ScriptEngine|vm\.",
    # a model written from request parameters; a merge or path walk that writes a key taken from data
    "CWE-915": r"params|update\(|new\(|create\(|attributes\s*=|assign_attributes",
    "CWE-1321": r"\[\s*[\w.$]+\s*\]\s*=|merge|extend|assign|__proto__|\bin\b",
}
NO_SINK = {"CWE-352"}  # a missing token check or middleware: no call in the handler shows it


def has_sink(cwe: str, code: str) -> bool:
    pattern = SINK_TOKENS.get(cwe.upper())
    return bool(pattern and re.search(pattern, code))


def ceiling(rows: Iterable[dict]) -> dict[tuple[str, str], list[int]]:
    """(language, CWE) -> [rows with a sink token in the vulnerable function, rows]; CWEs we have no list for are left out."""
    counts: dict[tuple[str, str], list[int]] = collections.defaultdict(lambda: [0, 0])
    for row in rows:
        cwe = row["vul_type"].upper()
        if cwe not in SINK_TOKENS and cwe not in NO_SINK:
            continue
        key = (row.get("language") or "?", cwe)
        counts[key][0] += has_sink(cwe, row["func_src_before"])
        counts[key][1] += 1
    return dict(counts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("paths", nargs="+", help="train.jsonl / val.jsonl files in SVEN's format")
    args = parser.parse_args()
    for path in args.paths:
        with open(path, encoding="utf-8") as handle:
            counts = ceiling(json.loads(line) for line in handle)
        print(f"\n### {path}\n\n| language | CWE | rows | with a sink in the function |\n| --- | --- | ---: | ---: |")
        for (language, cwe), (found, total) in sorted(counts.items()):
            print(f"| {language} | {cwe} | {total} | {found} ({100 * found / total:.0f}%) |")
        found = sum(c[0] for c in counts.values())
        total = sum(c[1] for c in counts.values())
        print(f"| **all** | | {total} | {found} ({100 * found / max(total, 1):.0f}%) |")


if __name__ == "__main__":
    main()
