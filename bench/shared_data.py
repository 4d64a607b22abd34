"""Locate the shared real data sets (`shared/data/<name>` beside the repository or a parent)."""
from __future__ import annotations

import json
import os

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MCEVAL_LANGUAGES = {"C": "C", "CPP": "Cpp", "Csharp": "CSharp", "Go": "Go", "Java": "Java",
                    "JavaScript": "JavaScript", "Python": "Python", "Ruby": "Ruby"}


def shared_data_dir(name: str) -> str:
    """The first `shared/data/<name>` found beside the repository or one of its parents."""
    here = REPO_ROOT
    while True:
        candidate = os.path.join(os.path.dirname(here), "shared", "data", name)
        if os.path.isdir(candidate):
            return candidate
        if os.path.dirname(here) == here:
            raise FileNotFoundError(f"shared/data/{name} not found beside {REPO_ROOT} or its parents: pass --data")
        here = os.path.dirname(here)


def mceval_solutions(data_dir: str) -> list[tuple[str, str]]:
    """[(language, prompt + canonical solution)] for every McEval task (the candidate programs)."""
    programs = []
    for file_stem, language in MCEVAL_LANGUAGES.items():
        with open(os.path.join(data_dir, f"{file_stem}.jsonl"), encoding="utf-8") as fh:
            for line in fh:
                row = json.loads(line)
                programs.append((language, row["prompt"] + "\n" + row["canonical_solution"]))
    return programs
