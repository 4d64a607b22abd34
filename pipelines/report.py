"""`themis report DIR`: an HTML page with PNG plots for a build directory.

Pair counts by criterion x language (from manifest.json), margin distributions per
criterion (from data/*.parquet), drop reasons (from dead_letters/*.jsonl) and ties.
Writes DIR/report/index.html and its PNGs; needs no display (matplotlib Agg).
"""
from __future__ import annotations

import argparse
import collections
import html
import io
import json
import sys

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipelines import manifest as mf
from pipelines.paths import output_problem
from schemas.records import ASPECTS
from transforms.dead_letters import DEAD_LETTERS

HELP = """Render an HTML report with plots for a build directory.

Reads DIR/manifest.json, DIR/data/*.parquet, DIR/dead_letters/*.jsonl and
DIR/ties.jsonl; writes DIR/report/index.html with PNG plots: pairs by criterion
and language, margin distributions per criterion, and why records were dropped.

example:
  themis report out/demo && xdg-open out/demo/report/index.html
"""


class ReportError(RuntimeError):
    """The directory cannot be reported on; the message says why."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("dir", help="output directory of `themis build` or `themis regenerate`")
    parser.add_argument("--output", default=None, help="report directory (default: DIR/report)")


def _paths(pattern: str) -> list[str]:
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def _json_lines(path: str):
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
        for line in filter(str.strip, fh.read().decode("utf-8").splitlines()):
            yield json.loads(line)


def load(build_dir: str) -> dict:
    """Everything the report shows, as plain data; `build_dir` may be on any Beam file system."""
    manifest_path = FileSystems.join(build_dir, mf.MANIFEST_FILE)
    if not FileSystems.exists(manifest_path):
        raise ReportError(f"{manifest_path} not found: pass the output directory of a finished `themis build`")
    import pyarrow.parquet as pq

    manifest = mf.read_json(manifest_path)
    margins: dict[str, list[float]] = collections.defaultdict(list)
    for path in _paths(FileSystems.join(build_dir, "data", "*.parquet")):
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
            table = pq.read_table(io.BytesIO(fh.read()), columns=["aspect", "margin"])
        for aspect, margin in zip(table.column("aspect").to_pylist(), table.column("margin").to_pylist()):
            margins[aspect].append(margin)
    drops: collections.Counter = collections.Counter()
    for path in _paths(FileSystems.join(build_dir, DEAD_LETTERS, "*.jsonl")):
        for record in _json_lines(path):
            drops[f"{record['stage']}.{record['reason']}"] += 1
    ties: collections.Counter = collections.Counter()
    ties_path = FileSystems.join(build_dir, "ties.jsonl")
    if FileSystems.exists(ties_path):
        for record in _json_lines(ties_path):
            ties[(record["aspect"], record["reason"])] += 1
    cells: dict[tuple[str, str], int] = collections.Counter()
    for _split, aspect, language, n in mf.pairs_table_rows(manifest["counts"]):
        cells[(aspect, language)] += n
    return {"manifest": manifest, "cells": dict(cells), "margins": dict(margins), "drops": dict(drops),
            "ties": dict(ties)}


def _plot_cells(cells: dict, path: str) -> None:
    import matplotlib.pyplot as plt

    aspects = [a for a in ASPECTS if any(k[0] == a for k in cells)] or list(ASPECTS)
    languages = sorted({k[1] for k in cells}) or ["(none)"]
    grid = [[cells.get((a, lang), 0) for lang in languages] for a in aspects]
    fig, ax = plt.subplots(figsize=(1.2 * len(languages) + 4, 0.6 * len(aspects) + 2))
    ax.imshow(grid, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(languages)), languages, rotation=30, ha="right")
    ax.set_yticks(range(len(aspects)), aspects)
    top = max((max(row) for row in grid), default=0)
    for i, row in enumerate(grid):
        for j, n in enumerate(row):
            ax.text(j, i, str(n), ha="center", va="center", color="white" if n > top / 2 else "black")
    ax.set_title("Pairs by criterion and language")
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def _plot_margins(margins: dict, path: str) -> None:
    import matplotlib.pyplot as plt

    aspects = [a for a in ASPECTS if margins.get(a)]
    fig, axes = plt.subplots(1, max(len(aspects), 1), figsize=(3.5 * max(len(aspects), 1), 3), squeeze=False)
    for ax, aspect in zip(axes[0], aspects):
        ax.hist(margins[aspect], bins=20, color="#4477aa")
        ax.set_title(aspect, fontsize=9)
        ax.set_xlabel({"Runtime_Efficiency": "median CPU ratio", "Memory_Efficiency": "peak memory ratio",
                       "Security_Hardness": "extra findings", "Readability_Maintainability": "score difference",
                       "Functional_Correctness": "pass vs fail"}[aspect], fontsize=8)
    if not aspects:
        axes[0][0].text(0.5, 0.5, "no pairs", ha="center", va="center")
    fig.suptitle("Margin distribution per criterion")
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def _plot_bars(counts: dict, title: str, path: str) -> None:
    import matplotlib.pyplot as plt

    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:30] or [("(none)", 0)]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(items) + 1.5))
    ax.barh([k for k, _ in reversed(items)], [n for _, n in reversed(items)], color="#cc6677")
    ax.set_title(title)
    fig.tight_layout()
    _save(fig, path)
    plt.close(fig)


def _write(path: str, data: bytes) -> None:
    with FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED) as fh:
        fh.write(data)


def _save(fig, path: str) -> None:
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100, metadata={"Software": None})
    _write(path, png.getvalue())


def render(data: dict, out_dir: str) -> str:
    """Write the PNGs and index.html into out_dir; returns the HTML path."""
    import matplotlib

    matplotlib.use("Agg")
    _plot_cells(data["cells"], FileSystems.join(out_dir, "pairs.png"))
    _plot_margins(data["margins"], FileSystems.join(out_dir, "margins.png"))
    _plot_bars(data["drops"], "Dropped records by stage.reason", FileSystems.join(out_dir, "drops.png"))
    _plot_bars({f"{a}: {r}": n for (a, r), n in data["ties"].items()}, "Ties by criterion: reason",
               FileSystems.join(out_dir, "ties.png"))
    manifest = data["manifest"]
    total = sum(data["cells"].values())
    invariants = manifest.get("invariants", {})
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v['in']}</td><td>{v['out']}</td>"
                   f"<td>{sum(v['dropped'].values())}</td><td>{'holds' if v['holds'] else 'BROKEN'}</td>"
                   f"<td>{v.get('skipped', 0)}</td></tr>"
                   for k, v in sorted(invariants.items()))
    page = f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Themis build report</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}img{{max-width:100%}}
td,th{{padding:2px 10px;text-align:right}}</style></head><body>
<h1>Themis build report</h1>
<p>Input <code>{html.escape(str(manifest['input']['spec']))}</code> (format {html.escape(str(manifest['input']['format']))}):
<b>{total}</b> pairs, {sum(data['drops'].values())} dropped records, {sum(data['ties'].values())} recorded ties.</p>
<h2>Pairs by criterion and language</h2><img src="pairs.png" alt="pairs by criterion and language">
<h2>Margins</h2><img src="margins.png" alt="margin distributions">
<h2>Dropped records</h2><img src="drops.png" alt="drop reasons">
<h2>Ties</h2><img src="ties.png" alt="ties by reason">
<h2>Count invariant (in = out + skipped + dropped)</h2>
<table><tr><th>stage</th><th>in</th><th>out</th><th>dropped</th><th></th><th>skipped</th></tr>{rows}</table>
</body></html>
"""
    path = FileSystems.join(out_dir, "index.html")
    _write(path, page.encode("utf-8"))
    return path


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    output = args.output or FileSystems.join(args.dir, "report")
    try:
        problem = output_problem(output)
        if problem:
            raise ReportError(problem)
        data = load(args.dir)
    except ReportError as exc:
        print(f"themis report: {exc}", file=sys.stderr)
        return 2
    path = render(data, output)
    print(f"report written to {path}")
    return 0
