"""`themis build`: the whole pipeline, composed here from one stage per module.

    read ─> parse ─> [mutants] ─> [scale inputs]
      ─> candidates ─┬─> execute (sandbox, store first) ──┐
                     ├─> [security] (semgrep, [analyzers],┼─> group by task ─> static labels ─┬─> pairs, ties
                     │    security tests, sanitize)        │
                     ├─> [readability] (tree-sitter) ─────┘          ^                       │
                     └─> [baselines] (stubs, sandbox) ───────────────┘             proposals │
                                                                                              v
     pairs, ties <─ runtime labels <─ [measure pairs] (sandbox A/B, store first) <───────────┘
    all pairs ─> [cap per cell] ─> shards;  ties ─> ties.jsonl

Stages in [brackets] run only when asked for (--mutants, --scale_inputs, --max_pairs_per_cell, and
each criterion's own stages: security, readability, baselines, measure pairs; see NEEDED_BY).
Every stage's drops flow into dead_letters/<stage>.jsonl; counts come back as a PCollection
and land in manifest.json, with the invariant records in = records out + records dropped
checked per stage.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from typing import Optional, Sequence

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions, WorkerOptions
from apache_beam.runners.runner import PipelineState

from pipelines import manifest as mf
from pipelines import progress
from pipelines.options import ConfigError, ThemisOptions, expand_config, flag_names, flag_parser
from pipelines.paths import output_problem, private_tmpdir
from pipelines.runners import local_runner, resolve_runner, stopped_run_exit
from pipelines.stage_configs import BuildConfig, build_config
from transforms.analyzers import ScanAnalyzers, tools_for
from transforms.candidates import ExplodeCandidates
from transforms.counters import PROGRESS_DIR_ENV
from transforms.dead_letters import DEAD_LETTERS
from transforms.execute import Execute, SandboxReports
from transforms.input_scaling import with_scaled_perf
from transforms.label import COUNTS, CapPairsPerCell, GroupByTask, RuntimeLabels, StaticLabels
from transforms.measure_pairs import MeasurePairs, MeasureStubFootprints
from transforms.parse import ParseTasks
from transforms.read import InputError, ReadRows, resolve_sources
from transforms.readability import MeasureReadability
from transforms.security import ScanSecurity
from transforms.sanitize import sanitizer_reports, wants_sanitizer
from transforms.security_tests import has_security_tests, security_reports
from transforms.shards import WriteJsonlGroups, WriteShards, fill_missing_shards
from transforms.store import WORKER_TMP, StoreSpec
from transforms.store_files import compact, run_writes, store_dir_of
from transforms.sources.mutants import AddVerifiedMutants

HELP = """Build preference shards from a task corpus.

Reads tasks (JSONL, Parquet, a `datasets` dataset, or HumanEval-family files such
as McEval and MBXP), runs every candidate in a sandbox, scans it with semgrep and
tree-sitter, labels pairs on five criteria and writes OUTPUT/data/*.parquet,
manifest.json, README.md (dataset card) and dead_letters/*.jsonl.

Any Beam flag is accepted too (--runner, --direct_num_workers, --project, ...);
the default is the DirectRunner running the pipeline in this process
(--direct_num_workers N: in N worker processes).

example:
  themis build --input examples/tasks.jsonl --output out/demo
  themis build --input ../shared/data/mceval --format mceval --output out/mceval --config examples/quickstart.yaml
"""

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class BuildError(RuntimeError):
    """The build cannot start; the message says what to do."""


def main(argv: Sequence[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        parser = flag_parser()
        parser.prog, parser.description = "themis build", HELP
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.add_argument("-h", "--help", action="help", help="show this help and exit")
        parser.print_help()
        return 0
    try:
        options = make_options(argv)
        result = run_build(options)
    except (BuildError, ConfigError, InputError) as exc:
        print(f"themis build: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, RuntimeError) as exc:  # RunLost, or Ctrl-C as Beam re-raises it
        return stopped_run_exit("themis build", exc)
    print_summary(result)
    return 0


def make_options(argv: Sequence[str]) -> PipelineOptions:
    """Flags (with --config expanded) as PipelineOptions, defaulting to the DirectRunner."""
    flags = expand_config(argv)
    options = PipelineOptions(flags)
    themis = options.view_as(ThemisOptions)
    if not themis.input or not themis.output:
        raise BuildError("--input and --output are required (see `themis build --help`)")
    # Workers may run elsewhere or in another directory: local paths must be absolute.
    for name in ("output", "store"):
        value = getattr(themis, name)
        if value and "://" not in value and value != WORKER_TMP:
            setattr(themis, name, os.path.abspath(value))
    if themis.reuse_store:
        themis.reuse_store = [v if "://" in v else os.path.abspath(v) for v in themis.reuse_store]
    standard = options.view_as(StandardOptions)
    if not standard.runner:
        standard.runner = "DirectRunner"
        direct = options.view_as(DirectOptions)
        if not any(f == "--direct_running_mode" or f.startswith("--direct_running_mode=") for f in flags):
            # One worker runs in this process (Beam imported once, no worker start-up: 2 s less on a
            # small build); N workers are N processes, since threads would share one interpreter.
            direct.direct_running_mode = "in_memory" if (direct.direct_num_workers or 1) == 1 else "multi_processing"
        # Local workers log every bundle at INFO and warn about our flags, which they do not
        # import; errors still show, and drops are in the dead letters and counters.
        worker = options.view_as(WorkerOptions)
        worker.default_sdk_harness_log_level = worker.default_sdk_harness_log_level or "ERROR"
    return options


def flag_values(themis: ThemisOptions) -> dict:
    """The build's own flags (not Beam's) as recorded in the manifest."""
    return {n: getattr(themis, n) for n in sorted(flag_names()) if n not in ("config", "overwrite", "progress_interval")}


def _counted(pcoll, label: str, key_of, units=lambda _: 1) -> beam.PCollection:
    return pcoll | f"Count{label}" >> beam.Map(lambda r: (key_of(r), units(r)))


class _Stages:
    """The stages composed so far: their dead letters, and the counts of their invariants
    (stages/<name>/in, out, skipped, dropped/<reason>) as (key, n) PCollections."""

    def __init__(self):
        self.dead_letters: list = []
        self.counts: list = []

    def add(self, name: str, outputs: dict, main: str, inputs=None, units=lambda _: 1, skipped=None) -> dict:
        """Record stage `name`: its `main` output is its out, its dead letters its dropped; `inputs` (each
        counted as `units` records) its in. Returns `outputs`."""
        key = f"stages/{name}/"
        self.dead_letters.append(outputs[DEAD_LETTERS])
        self.counts += [_counted(outputs[main], f"{name}/out", lambda _: key + "out"),
                        _counted(outputs[DEAD_LETTERS], f"{name}/dropped", lambda d: f"{key}dropped/{d.reason}")]
        if inputs is not None:
            self.counts.append(_counted(inputs, f"{name}/in", lambda _: key + "in", units))
        if skipped is not None:
            self.counts.append(_counted(skipped, f"{name}/skipped", lambda _: key + "skipped"))
        return outputs


def _tasks(pipeline: beam.Pipeline, config: BuildConfig, sources, store: StoreSpec, stages: _Stages) -> beam.PCollection:
    """read -> parse -> [mutants]: the tasks."""
    read = pipeline | "Read" >> ReadRows(sources, config.input.dataset_split, config.input.max_record_bytes)
    stages.add("read", read, "rows", (read["rows"], read[DEAD_LETTERS]) | "ReadIn" >> beam.Flatten())
    parsed = read["rows"] | "Parse" >> ParseTasks(config.input.format, config.input.column_map)
    tasks = stages.add("parse", parsed, "tasks", read["rows"])["tasks"]
    if config.mutants.max_mutants:
        # Same execute config as the main stage: mutants measured while verified are store hits there.
        mutated = tasks | "Mutants" >> AddVerifiedMutants(config.mutants, config.execute, store,
                                                          seed=config.label.seed)
        tasks = stages.add("mutants", mutated, "verified", mutated["generated"])["tasks"]
    if config.input.scale_inputs:
        scaled = tasks | "ScaleInputs" >> beam.Map(lambda t, n: (t, with_scaled_perf(t, n)), config.input.scale_inputs)
        stages.counts.append(_counted(scaled, "Scaled", lambda p: "scale_inputs/" + (
            "scaled" if p[1] != p[0] else "unchanged")))
        tasks = scaled | "Scaled" >> beam.Map(lambda p: p[1])
    return tasks


# The stages that only one criterion needs (execute is needed by all: every rule compares passing
# programs): a stage whose criterion is not in --aspects is not composed, and the manifest says so.
NEEDED_BY = {"security": ("Security_Hardness", "semgrep, the added analyzers, security tests and the sanitizer build"),
             "readability": ("Readability_Maintainability", "tree-sitter metrics"),
             "baselines": ("Memory_Efficiency", "memory baselines"),
             "measure_pairs": ("Runtime_Efficiency", "A/B runtime measurements")}


def not_run(aspects: Sequence[str]) -> dict[str, str]:
    """The stages left out for `aspects`, each with the reason (manifest.json `not_run`)."""
    return {stage: f"{what} not run: {aspect} not in --aspects"
            for stage, (aspect, what) in NEEDED_BY.items() if aspect not in aspects}


def _measured(candidates, config: BuildConfig, store: StoreSpec, stages: _Stages) -> dict:
    """execute, [security] (semgrep, [the field's analyzers], security tests, sanitizer build) and
    [readability] of every candidate: {"measurements", "reports"}."""
    skipped = not_run(config.label.aspects)
    untested = candidates | "Untested" >> beam.Filter(lambda c: c.tests.is_empty)
    executed = stages.add("execute", candidates | "Execute" >> Execute(config.execute, store), "measurements",
                          candidates, skipped=untested)
    reports = []
    if "security" not in skipped:
        reports.append(stages.add("security", candidates | "Security" >> ScanSecurity(config.security, store),
                                  "reports", candidates)["reports"])
        names = config.analyzers.names
        if names:  # one report per candidate and analyzer that reads its language
            analyzed = stages.add("analyzers", candidates | "Analyzers" >> ScanAnalyzers(config.analyzers, store),
                                  "reports", candidates, lambda c: len(tools_for(c.language, names)))
            reports.append(analyzed["reports"])
        # programs run again: the security tests' exploit cases, the C/C++ sanitizer build
        for name, wanted, run in (("security_tests", has_security_tests, security_reports),
                                  ("sanitize", wants_sanitizer, sanitizer_reports)):
            chosen = candidates | f"For{name}" >> beam.Filter(wanted)
            reports.append(stages.add(name, chosen | name >> SandboxReports(name, run, config.execute, store),
                                      "reports", chosen)["reports"])
    if "readability" not in skipped:
        reports.append(stages.add("readability", candidates | "Readability" >> MeasureReadability(), "reports",
                                  candidates)["reports"])
    reports = reports or [candidates.pipeline | "NoReports" >> beam.Create([])]
    return {"measurements": executed["measurements"], "reports": reports | "Reports" >> beam.Flatten()}


def _labelled(candidates, measured: dict, config: BuildConfig, store: StoreSpec, stages: _Stages) -> tuple:
    """group by task -> static labels, [baselines] before them, [measure pairs -> runtime labels] after
    them, [cap per cell]: (pairs, ties)."""
    execute, label = config.execute, config.label
    skipped = not_run(label.aspects)
    inputs = {"candidates": candidates, **measured}
    if "baselines" not in skipped:
        tested = candidates | "Tested" >> beam.Filter(lambda c: not c.tests.is_empty)
        inputs["stub_bytes"] = stages.add("baselines", tested | "MeasureStubFootprints" >> MeasureStubFootprints(
            execute, store), "stub_bytes", tested)["stub_bytes"]
    grouped = inputs | "GroupByTask" >> GroupByTask()
    static = grouped | "StaticLabels" >> StaticLabels(label, execute.limits.cpu_seconds)
    stages.dead_letters.append(static[DEAD_LETTERS])
    stages.counts += [static[COUNTS], _counted(candidates, "label/in", lambda _: "stages/label/in")]
    labelled = [static]
    if "measure_pairs" not in skipped:
        measured_pairs = stages.add("measure_pairs", static["proposals"] | "MeasurePairs" >> MeasurePairs(
            execute, label, store), "measured", static["proposals"])
        runtime = measured_pairs["measured"] | "RuntimeLabels" >> RuntimeLabels(label)
        stages.dead_letters.append(runtime[DEAD_LETTERS])
        stages.counts.append(runtime[COUNTS])
        labelled.append(runtime)
    pairs = [s["pairs"] for s in labelled] | "AllPairs" >> beam.Flatten()
    if label.max_pairs_per_cell > 0:
        pairs = stages.add("cap_per_cell", pairs | "CapPairsPerCell" >> CapPairsPerCell(label), "pairs", pairs)["pairs"]
    return pairs, [s["ties"] for s in labelled] | "AllTies" >> beam.Flatten()


def build_pipeline(pipeline: beam.Pipeline, config: BuildConfig, sources, store: Optional[StoreSpec] = None) -> None:
    """Compose the stages on `pipeline`; outputs go under config.output.output. Every stage that
    measures or scans answers from `store` (default: config.store("")) first and appends what it
    makes to OUTPUT/store/."""
    out, stages, store = config.output.output, _Stages(), store or config.store("")
    tasks = _tasks(pipeline, config, sources, store, stages)
    exploded = stages.add("candidates", tasks | "Candidates" >> ExplodeCandidates(), "candidates", tasks,
                          lambda t: len(t.candidates))
    candidates = exploded["candidates"]
    pairs, ties = _labelled(candidates, _measured(candidates, config, store, stages), config, store, stages)

    pairs | "Shards" >> WriteShards(FileSystems.join(out, "data"), config.output.num_shards)
    dead = stages.dead_letters | "DeadLetters" >> beam.Flatten()
    dead | "WriteDead" >> WriteJsonlGroups(FileSystems.join(out, DEAD_LETTERS), lambda d: d.stage)
    ties | "WriteTies" >> WriteJsonlGroups(out, lambda _: "ties")
    counts = stages.counts + [
        _counted(pairs, "Pairs", lambda p: f"pairs/{p.split}/{p.aspect}/{p.language}"),
        _counted(ties, "Ties", lambda t: f"ties/{t.get('aspect', 'unknown')}"),
        _counted(dead, "Dead", lambda d: f"{DEAD_LETTERS}/{d.stage}/{d.reason}"),
    ]
    (
        counts
        | "AllCounts" >> beam.Flatten()
        | "Sum" >> beam.CombinePerKey(sum)
        | "Collect" >> beam.combiners.ToList()
        | "WriteStats" >> beam.Map(lambda kv: mf.write_json(mf.fold_counts(kv), FileSystems.join(out, mf.STATS_FILE)))
    )


def invariants(counts: dict) -> dict:
    """Per stage: records in, out, skipped (passed over by design, e.g. no tests to run), and dropped
    by reason; `holds` says whether in == out + skipped + dropped."""
    result = {}
    for name, stage in sorted(counts.get("stages", {}).items()):
        dropped = dict(sorted(stage.get("dropped", {}).items()))
        n_in, n_out, skipped = stage.get("in", 0), stage.get("out", 0), stage.get("skipped", 0)
        result[name] = {"in": n_in, "out": n_out, "dropped": dropped,
                        "holds": n_in == n_out + skipped + sum(dropped.values())}
        if skipped:
            result[name]["skipped"] = skipped
    return result


def _path(*parts: str) -> str:
    return FileSystems.join(*parts)


def _write_text(text: str, path: str) -> None:
    with FileSystems.create(path) as fh:
        fh.write(text.encode("utf-8"))


def _delete_if_present(paths: list[str]) -> None:
    present = [p for p in paths if FileSystems.exists(p)]
    if present:
        FileSystems.delete(present)


def _prepare_output(out: str, fingerprint: str, flags: dict, overwrite: bool) -> Optional[dict]:
    """Return the finished manifest when this exact build is already complete, else clear old outputs.

    Goes through Beam's FileSystems so that --output may be a bucket (gs://...) as well as a
    local directory; the measurement store is never touched.
    """
    if FileSystems.exists(_path(out, mf.SUCCESS_FILE)) and not overwrite:
        previous = mf.read_json(_path(out, mf.MANIFEST_FILE))
        if previous.get("input", {}).get("fingerprint") == fingerprint and previous.get("config") == flags:
            return previous
        raise BuildError(f"{out} holds a finished build of other inputs or config: pass --overwrite "
                         "(the measurement store is kept) or choose another --output")
    _delete_if_present([_path(out, name) for name in (
        "data", DEAD_LETTERS, mf.MANIFEST_FILE, mf.SUCCESS_FILE, mf.STATS_FILE, "README.md", "ties.jsonl")])
    for name in ("data", DEAD_LETTERS):
        FileSystems.mkdirs(_path(out, name))
    return None


def _run_showing_progress(pipeline: beam.Pipeline, interval: float) -> None:
    """Run `pipeline` to the end while showing its progress: from Beam's metrics where the runner
    returns while running (Dataflow, Dask, ...), else from the local runner's side channel
    (transforms/counters.py); the last figures from the finished pipeline's metrics."""
    mirror = tempfile.mkdtemp(prefix="progress-")  # under the build's private TMPDIR
    os.environ[PROGRESS_DIR_ENV] = mirror  # inherited by the local runner's worker processes
    try:
        with progress.shown(sys.stderr, interval, progress.MirrorSource(mirror)) as display:
            result = pipeline.run()
            source = progress.MetricsSource(result)
            if display is not None and result.state == PipelineState.RUNNING:
                display.source = source
            result.wait_until_finish()
            if display is not None:
                display.finish(source)
    finally:
        os.environ.pop(PROGRESS_DIR_ENV, None)


def run_build(options: PipelineOptions, allow_execute: bool = True) -> dict:
    """Run the whole build; returns the manifest. Skips a build that is already complete."""
    themis = options.view_as(ThemisOptions)
    config = build_config(themis, allow_execute)
    out, store_path = config.output.output, config.store_path
    problem = output_problem(out) or (store_path != WORKER_TMP and output_problem(store_path, "--store", is_dir=False))
    if problem:
        raise BuildError(problem)
    sources = resolve_sources(config.input.input, config.input.format)
    fingerprint = mf.fingerprint_sources(sources)
    flags = flag_values(themis)
    finished = _prepare_output(out, fingerprint, flags, config.output.overwrite)
    if finished is not None:
        print(f"themis build: {out} is already complete for these inputs and config (--overwrite rebuilds)",
              file=sys.stderr)
        return finished
    # --store is a local SQLite cache per worker: on a remote runner each worker keeps its own.
    # Worker processes must import this checkout's packages, installed or not.
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO_ROOT, os.environ.get("PYTHONPATH")]))
    with private_tmpdir():
        options = resolve_runner(options)
        pipeline = beam.Pipeline(runner=local_runner(options), options=options)
        run = uuid.uuid4().hex
        build_pipeline(pipeline, config, sources, config.store(run))
        _run_showing_progress(pipeline, config.output.progress_interval)
    writes = run_writes(store_dir_of(out), run)
    compact(store_dir_of(out))  # the small per-batch files of this run, one file per kind

    data_dir = _path(out, "data")
    fill_missing_shards(data_dir, [name for name, _ in config.label.splits], config.output.num_shards)
    stats_path = _path(out, mf.STATS_FILE)
    counts = mf.read_json(stats_path)
    FileSystems.delete([stats_path])
    manifest = {
        "input": {"spec": config.input.input, "format": config.input.format, "column_map": themis.column_map,
                  "dataset_split": config.input.dataset_split, "fingerprint": fingerprint,
                  "sources": [list(s) for s in sources]},
        "config": flags,
        "store": store_path,  # the driver's SQLite cache; the store itself is store_dir
        "store_dir": store_dir_of(out),
        "reused_stores": list(config.reuse_stores),
        "counts": counts,
        "invariants": invariants(counts),
        "not_run": not_run(config.label.aspects),
        "store_writes": writes,  # by kind: "stored" (executed or scanned by this run), "copied"
        "shards": sorted(m.path.rsplit("/", 1)[-1] for m in FileSystems.match([_path(data_dir, "*.parquet")])[0].metadata_list),
        "versions": mf.versions(),
    }
    mf.write_json(manifest, _path(out, mf.MANIFEST_FILE))
    from pipelines.card import render_card

    _write_text(render_card(manifest), _path(out, "README.md"))
    _write_text("", _path(out, mf.SUCCESS_FILE))
    return manifest


def print_summary(manifest: dict) -> None:
    """Pairs by criterion x language, and drops by reason, as plain tables."""
    totals: dict[tuple[str, str], int] = {}
    for _split, aspect, language, n in mf.pairs_table_rows(manifest["counts"]):
        totals[(aspect, language)] = totals.get((aspect, language), 0) + n
    aspects = sorted({a for a, _ in totals})
    languages = sorted({lang for _, lang in totals})
    print(f"\npairs written to {manifest['config']['output']}/data:")
    if totals:
        width = max(len(a) for a in aspects)
        print(" " * width + "".join(f"{lang:>11}" for lang in languages) + f"{'total':>8}")
        for aspect in aspects:
            row = [totals.get((aspect, lang), 0) for lang in languages]
            print(f"{aspect:<{width}}" + "".join(f"{n:>11}" for n in row) + f"{sum(row):>8}")
    else:
        print("  (none)")
    dead = mf.dead_letter_totals(manifest["counts"])
    print(f"\nrecords dropped ({sum(dead.values())}, see dead_letters/):")
    for reason, n in dead.items():
        print(f"  {reason:<40}{n:>8}")
    broken = [k for k, v in manifest["invariants"].items() if not v["holds"]]
    print("\ncount invariant of every stage (in = out + skipped + dropped): "
          + ("holds" if not broken else "BROKEN in " + ", ".join(broken)))
