"""Mine (old, new) code pairs from single-file commits: local git repositories or JSONL exports.

A kept commit modifies one file in place (no add, delete, rename or second file),
in one of the eight languages, under an allowed licence, inside the date window,
with a message that is neither trivial nor out of bounds and that names at least
one criterion (term lists in `criteria_terms`). It becomes a Task with two
candidates, `commit_old` and `commit_new`, no tests (static criteria only unless
tests are added later), and the commit in each candidate's metadata.

Git repositories are read with two batched `git` calls per repository: one
`git log` for every commit's header and file list, then `git cat-file --batch`
for the contents of the commits that survive the header checks.

The export shape (one JSON object per line, as a BigQuery single-file-commit
export writes it):
    commit        sha (required)
    old_file      path before (required);  new_file  path after (required)
    old_contents  file before (required);  new_contents  file after (required)
    message       full message (or `subject`, used when `message` is absent)
    repos         repository name; a comma-separated list takes the first
    license       licence name, SPDX or lower case ("mit", "apache-2.0")
    lang          ignored: the language comes from the file extension
    date          commit date, ISO 8601 or Unix seconds (required when a date window is set)

Longer than the project's usual 400 lines because it is one source whose two readers (git
repositories, exports) share the Commit record, the screening and the task building.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import tempfile
from typing import Iterable, Iterator, Optional, Union

import apache_beam as beam

from schemas import ASPECTS, CandidateSpec, DeadLetter, Task, TestSpec, content_id
from schemas.languages import CANONICAL_LANGUAGES
from transforms.sources.criteria_terms import CRITERION_TERMS, TRIVIAL_MESSAGES
from transforms.sources.licences import PERMISSIVE, detect_licence, is_licence_file, normalise_licence
from transforms.dead_letters import DEAD_LETTERS, Routed

STAGE = "sources.commits"

EXTENSIONS: dict[str, str] = {
    ".c": "C", ".h": "C",
    ".cc": "Cpp", ".cpp": "Cpp", ".cxx": "Cpp", ".hpp": "Cpp", ".hh": "Cpp", ".hxx": "Cpp",
    ".cs": "CSharp", ".go": "Go", ".java": "Java",
    ".js": "JavaScript", ".mjs": "JavaScript", ".cjs": "JavaScript",
    ".py": "Python", ".rb": "Ruby",
}

Mined = Union[Task, DeadLetter]


@dataclasses.dataclass(frozen=True)
class CommitConfig:
    languages: tuple[str, ...] = CANONICAL_LANGUAGES
    licences: tuple[str, ...] = PERMISSIVE
    since: str = ""  # ISO date or datetime, inclusive; "" = no lower bound
    until: str = ""  # exclusive
    min_message_chars: int = 10
    max_message_chars: int = 2000
    max_file_bytes: int = 100_000
    batch_size: int = 256  # commits per `git cat-file --batch` call

    def window(self) -> tuple[Optional[int], Optional[int]]:
        return _epoch(self.since), _epoch(self.until)


@dataclasses.dataclass(frozen=True)
class Commit:
    """One commit reduced to what the filters need; contents are filled in last."""

    repo: str
    sha: str
    date: Optional[int]  # Unix seconds (committer date)
    message: str
    changes: tuple[tuple[str, str, str], ...]  # (status letter, old path, new path) per file
    licence: Optional[str]
    old_contents: Optional[str] = None
    new_contents: Optional[str] = None


class _Drop(Exception):
    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason)
        self.reason, self.detail = reason, detail


def _epoch(value: Union[str, int, float, None]) -> Optional[int]:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) or str(value).strip().lstrip("-").isdigit():
        return int(value)
    text = str(value).strip().replace("Z", "+00:00")
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"cannot read date {value!r}: write ISO 8601 (2021-03-01 or 2021-03-01T12:00:00Z) "
                         "or Unix seconds") from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return int(stamp.timestamp())


def language_of(path: str) -> Optional[str]:
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


def _term_pattern(term: str) -> re.Pattern:
    words = [re.escape(w) + r"(?:s|es|ed|d|ing)?" for w in re.split(r"[\s-]+", term)]
    return re.compile(r"\b" + r"[\s_-]+".join(words) + r"\b", re.IGNORECASE)


_PATTERNS: dict[str, list[tuple[str, re.Pattern]]] = {
    aspect: [(term, _term_pattern(term)) for term in CRITERION_TERMS[aspect]] for aspect in ASPECTS
}
# one alternation per criterion answers "any term?" in a single scan; terms are listed only on a hit
_ANY: dict[str, re.Pattern] = {
    aspect: re.compile("|".join(p.pattern for _t, p in patterns), re.IGNORECASE) for aspect, patterns in _PATTERNS.items()
}


def classify(message: str) -> dict[str, list[str]]:
    """Criteria a commit message names, in ASPECTS order, each with the terms that matched."""
    return {aspect: [t for t, p in _PATTERNS[aspect] if p.search(message)]
            for aspect in ASPECTS if _ANY[aspect].search(message)}


def screen(commit: Commit, config: CommitConfig) -> dict[str, list[str]]:
    """Checks that need no file contents; returns the criteria or raises _Drop."""
    if commit.licence not in config.licences:
        raise _Drop("licence_not_allowed", f"licence {commit.licence or 'unknown'}")
    since, until = config.window()
    if since is not None or until is not None:
        if commit.date is None:
            raise _Drop("outside_date_window", "commit has no date")
        if (since is not None and commit.date < since) or (until is not None and commit.date >= until):
            raise _Drop("outside_date_window", dt.datetime.fromtimestamp(commit.date, dt.timezone.utc).isoformat())
    if len(commit.changes) != 1:
        raise _Drop("multi_file", f"{len(commit.changes)} files changed")
    status, old_path, new_path = commit.changes[0]
    if status != "M" or old_path != new_path:
        raise _Drop("not_in_place", f"status {status}: {old_path} -> {new_path}")
    language = language_of(new_path)
    if language is None or language not in config.languages:
        raise _Drop("unsupported_language", new_path)
    message = commit.message.strip()
    if message.lower().rstrip(".!").strip() in TRIVIAL_MESSAGES:
        raise _Drop("trivial_message", message)
    if not config.min_message_chars <= len(message) <= config.max_message_chars:
        raise _Drop("message_length", f"{len(message)} characters")
    criteria = classify(message)
    if not criteria:
        raise _Drop("unclassified", message[:200])
    return criteria


_DEFINITION = re.compile(
    r"^\s*(?:(?:def|class|func|function|module|struct|interface|fn)\b.*"
    r"|[\w<>\[\]*&:, ]+\s[*&]?[A-Za-z_]\w*\s*\([^;]*)$"
)


def _enclosing_definition(old: str, new: str) -> str:
    """The definition line above the first changed line: where the change happens."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    first = next((i for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b), min(len(old_lines), len(new_lines)))
    for line in reversed(old_lines[max(0, first - 400): first + 1]):  # bounded: huge files stay cheap
        if _DEFINITION.match(line) and not line.strip().startswith(("if", "for", "while", "return", "switch")):
            return line.strip().rstrip("{:").strip()
    return ""


def template_prompt(message: str, path: str, language: str, old: str, new: str) -> str:
    """The prompt when no LLM writes one: the commit message plus where the change goes."""
    where = _enclosing_definition(old, new)
    near = f", in `{where}`" if where else ""
    return (f"{message.strip()}\n\nMake this change to the {language} file `{path}`{near}. "
            "Return the complete updated file.")


def _utf8(blob: Optional[bytes], what: str) -> str:
    if blob is None:
        raise _Drop("missing_contents", what)
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError:
        raise _Drop("not_utf8", what) from None


def _check_contents(text: Optional[str], what: str, config: CommitConfig) -> str:
    if text is None:
        raise _Drop("missing_contents", what)
    if len(text.encode("utf-8")) > config.max_file_bytes:
        raise _Drop("too_large", f"{what}: over {config.max_file_bytes} bytes")
    if "\0" in text:
        raise _Drop("binary", what)
    if not text.strip():
        raise _Drop("empty_file", what)
    return text


def build_task(commit: Commit, criteria: dict[str, list[str]], config: CommitConfig) -> Task:
    """The Task for a screened commit whose contents are filled in."""
    _status, _old_path, path = commit.changes[0]
    old = _check_contents(commit.old_contents, "old", config)
    new = _check_contents(commit.new_contents, "new", config)
    if old == new:
        raise _Drop("unchanged", path)
    language = language_of(path)
    date = "" if commit.date is None else dt.datetime.fromtimestamp(commit.date, dt.timezone.utc).isoformat()
    metadata = {
        "repo": commit.repo, "sha": commit.sha, "path": path, "date": date,
        "message": commit.message.strip(), "licence": commit.licence or "",
        "criteria": ",".join(criteria), "terms": json.dumps(criteria, sort_keys=True),
    }
    return Task(
        task_id=content_id("commit", commit.repo, commit.sha, path),
        language=language,
        prompt=template_prompt(commit.message, path, language, old, new),
        tests=TestSpec(),
        candidates=[CandidateSpec(code=old, origin="commit_old", metadata=metadata),
                    CandidateSpec(code=new, origin="commit_new", metadata=metadata)],
        source="commits",
        subset=commit.repo,
    )


def _dead(commit: Commit, drop: _Drop) -> DeadLetter:
    header = {"repo": commit.repo, "sha": commit.sha, "message": commit.message[:500],
              "changes": [list(c) for c in commit.changes]}
    return DeadLetter.of(STAGE, drop.reason, header, record_id=f"{commit.repo}@{commit.sha}", detail=drop.detail)


# ---- git repositories -------------------------------------------------------

def _git(repo: str, *args: str, stdin: Optional[bytes] = None) -> bytes:
    proc = subprocess.run(["git", "-C", repo, *args], input=stdin, capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])} failed in {repo}: {proc.stderr.decode(errors='replace').strip()}; "
                           "is it a git repository with at least one commit?")
    return proc.stdout


def repository_name(repo: str) -> str:
    """The origin URL's `owner/name` when there is one, else the directory name."""
    proc = subprocess.run(["git", "-C", repo, "config", "--get", "remote.origin.url"], capture_output=True, text=True)
    url = proc.stdout.strip()
    if url:
        parts = re.split(r"[/:]", url.rstrip("/").removesuffix(".git"))
        return "/".join(parts[-2:])
    return os.path.basename(os.path.abspath(repo).rstrip("/")).removesuffix(".git")


def repository_licence(repo: str) -> Optional[str]:
    """SPDX id of the licence file at HEAD (the first recognised one), else None."""
    names = _git(repo, "ls-tree", "--name-only", "-z", "HEAD").decode("utf-8", "replace").split("\0")
    for name in sorted(n for n in names if is_licence_file(n)):
        licence = detect_licence(_git(repo, "cat-file", "-p", f"HEAD:{name}").decode("utf-8", "replace"))
        if licence:
            return licence
    return None


def _log_entries(repo: str) -> Iterator[str]:
    """`git log` entries as they stream out (a large history is never held whole)."""
    command = ["git", "-C", repo, "log", "--no-merges", "-M", "-z", "--name-status", "--format=%x1e%H%x1f%ct%x1f%B%x1f"]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors)
        pending = b""
        for block in iter(lambda: proc.stdout.read(1 << 20), b""):
            *entries, pending = (pending + block).split(b"\x1e")
            yield from (e.decode("utf-8", "replace") for e in entries if e)
        if pending:
            yield pending.decode("utf-8", "replace")
        if proc.wait() != 0:
            errors.seek(0)
            raise RuntimeError(f"git log failed in {repo}: {errors.read().decode(errors='replace').strip()}")


def git_commits(repo: str, name: str, licence: Optional[str]) -> Iterator[Commit]:
    """Every non-merge commit's header and changed files, newest first, from one streamed `git log`."""
    for chunk in _log_entries(repo):
        sha, stamp, message, files = chunk.split("\x1f", 3)
        fields = files.lstrip("\0\n").split("\0")
        changes, i = [], 0
        while i < len(fields) and fields[i]:
            status = fields[i][0]
            if status in "RC":
                changes.append((status, fields[i + 1], fields[i + 2]))
                i += 3
            else:
                changes.append((status, fields[i + 1], fields[i + 1]))
                i += 2
        yield Commit(repo=name, sha=sha, date=int(stamp), message=message, changes=tuple(changes), licence=licence)


def _cat_files(repo: str, specs: list[str]) -> list[Optional[bytes]]:
    """Contents of `rev:path` specs in one `git cat-file --batch` call (None where missing)."""
    out = _git(repo, "cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode("utf-8"))
    blobs, pos = [], 0
    for _ in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if header[-1] == b"missing" or len(header) != 3:
            blobs.append(None)
            pos = end + 1
            continue
        size = int(header[2])
        blobs.append(out[end + 1:end + 1 + size])
        pos = end + 1 + size + 1
    return blobs


def mine_repository(repo: str, config: CommitConfig) -> Iterator[Mined]:
    """Tasks and dead letters for one local repository."""
    name = repository_name(repo)
    try:
        licence = repository_licence(repo)
    except RuntimeError as exc:  # not a repository, or one without commits
        yield DeadLetter.of(STAGE, "unreadable_repository", {"repo": name, "path": repo}, record_id=name, detail=str(exc))
        return
    if licence not in config.licences:
        yield DeadLetter.of(STAGE, "licence_not_allowed", {"repo": name, "path": repo}, record_id=name,
                            detail=f"licence {licence or 'unknown'}: every commit of this repository is skipped")
        return
    screened: list[tuple[Commit, dict[str, list[str]]]] = []
    for commit in git_commits(repo, name, licence):
        try:
            screened.append((commit, screen(commit, config)))
        except _Drop as drop:
            yield _dead(commit, drop)
    for start in range(0, len(screened), config.batch_size):
        batch = screened[start:start + config.batch_size]
        specs = [s for commit, _ in batch for s in (f"{commit.sha}^:{commit.changes[0][1]}", f"{commit.sha}:{commit.changes[0][2]}")]
        blobs = _cat_files(repo, specs)
        for k, (commit, criteria) in enumerate(batch):
            try:
                contents = {"old_contents": _utf8(blobs[2 * k], "old"), "new_contents": _utf8(blobs[2 * k + 1], "new")}
                yield build_task(dataclasses.replace(commit, **contents), criteria, config)
            except _Drop as drop:
                yield _dead(commit, drop)


def read_repository_list(path: str) -> list[str]:
    """Repository paths from a list file: one per line, `#` comments, relative to the file."""
    base = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as fh:
        lines = [line.split("#", 1)[0].strip() for line in fh]
    return [line if os.path.isabs(line) else os.path.join(base, line) for line in lines if line]


# ---- JSONL exports ----------------------------------------------------------

_REQUIRED = ("commit", "old_file", "new_file", "old_contents", "new_contents")


def export_commit(row: dict) -> Commit:
    """An export row as a Commit; ValueError names a missing or malformed field."""
    missing = [f for f in _REQUIRED if not isinstance(row.get(f), str)]
    if missing:
        raise ValueError(f"export row lacks text field(s) {', '.join(missing)}")
    repo = str(row.get("repos") or row.get("repo") or "").split(",")[0].strip()
    licence = row.get("license") or row.get("licence") or ""
    # The export row is one file of its commit; an empty side means it was added or deleted.
    status = "A" if not row["old_contents"] else "D" if not row["new_contents"] else "M"
    return Commit(
        repo=repo, sha=row["commit"], date=_epoch(row.get("date")),
        message=str(row.get("message") or row.get("subject") or ""),
        changes=((status, row["old_file"], row["new_file"]),),
        licence=normalise_licence(str(licence)),
        old_contents=row["old_contents"], new_contents=row["new_contents"],
    )


def mine_export_row(row: dict, config: CommitConfig) -> Mined:
    try:
        commit = export_commit(row)
    except ValueError as exc:
        return DeadLetter.of(STAGE, "bad_row", row, record_id=str(row.get("commit", "")), detail=str(exc))
    try:
        return build_task(commit, screen(commit, config), config)
    except _Drop as drop:
        return _dead(commit, drop)


def mine_export_line(line: str, config: CommitConfig) -> Mined:
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        return DeadLetter.of(STAGE, "bad_json", line, detail=f"not a JSON object: {exc}")
    if not isinstance(row, dict):
        return DeadLetter.of(STAGE, "bad_json", line, detail="not a JSON object")
    return mine_export_row(row, config)


# ---- Beam -------------------------------------------------------------------

def _mined_export_line(line: str, config: CommitConfig) -> Iterable:
    return [mine_export_line(line, config)]


class MineRepositories(beam.PTransform):
    """PCollection of local repository paths -> {"tasks", "dead_letters"}."""

    def __init__(self, config: CommitConfig = CommitConfig()):
        super().__init__()
        self.config = config

    def expand(self, paths):
        return (paths | "Spread" >> beam.Reshuffle()
                | "MineRepository" >> Routed(mine_repository, "tasks", args=(self.config,), stage=STAGE, kept="mined"))


class MineExport(beam.PTransform):
    """PCollection of JSONL export lines -> {"tasks", "dead_letters"}."""

    def __init__(self, config: CommitConfig = CommitConfig()):
        super().__init__()
        self.config = config

    def expand(self, lines):
        return lines | "MineExportLine" >> Routed(_mined_export_line, "tasks", args=(self.config,), stage=STAGE,
                                                  kept="mined")


class CommitSource(beam.PTransform):
    """Pipeline root: repositories (paths and/or a list file) and/or export files (globs).

    `llm` (an `LLMConfig`) rewrites the template prompts with a model; without it
    the template from the commit message and file context is kept.
    """

    def __init__(self, repositories: Iterable[str] = (), repository_list: str = "", exports: Iterable[str] = (),
                 config: CommitConfig = CommitConfig(), llm=None):
        super().__init__()
        self.repositories = list(repositories) + (read_repository_list(repository_list) if repository_list else [])
        self.exports, self.config, self.llm = list(exports), config, llm
        if not self.repositories and not self.exports:
            raise ValueError("no commit source: give repository paths, a repository list file, or export JSONL files")

    def expand(self, root):
        parts = []
        if self.repositories:
            parts.append(root | "Repositories" >> beam.Create(sorted(self.repositories)) | MineRepositories(self.config))
        for i, pattern in enumerate(self.exports):
            lines = root | f"ReadExport{i}" >> beam.io.ReadFromText(pattern)
            parts.append(lines | f"MineExport{i}" >> MineExport(self.config))
        tasks = [p["tasks"] for p in parts] | "Tasks" >> beam.Flatten()
        dead = [p[DEAD_LETTERS] for p in parts]
        if self.llm is not None:
            from transforms.sources.llm import SynthesizeInstructions
            synthesized = tasks | SynthesizeInstructions(self.llm)
            tasks = synthesized["tasks"]
            dead.append(synthesized[DEAD_LETTERS])
        return {"tasks": tasks, DEAD_LETTERS: dead | "DeadLetters" >> beam.Flatten()}
