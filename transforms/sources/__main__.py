"""Write candidate sources as task JSONL that `themis build --input` reads.

    python -m transforms.sources commits --repo PATH [--repo_list FILE] [--export GLOB] --output DIR
    python -m transforms.sources corpus (--codenet_root DIR | --submissions F --problems F) --output DIR
    python -m transforms.sources mutants --input tasks.jsonl --output DIR

Each writes DIR/tasks.jsonl (one Task per line, the native task format) and
DIR/dead_letters.jsonl (every dropped record with its stage and reason), after
optional exact + near dedup (`--dedup`), decontamination against benchmark files
(`--decontaminate FILE ...`) and model sampling (`--llm_samples N` with an
endpoint). Unknown flags go to Beam (`--runner`, `--direct_num_workers`, ...).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from schemas import Task
from schemas.languages import CANONICAL_LANGUAGES
from transforms.dead_letters import DEAD_LETTERS
from transforms.dedup import Decontaminate, Deduplicate, MinHashConfig, load_benchmark_texts
from transforms.execute import ExecuteConfig
from transforms.sources.commits import CommitConfig, CommitSource
from transforms.sources.licences import PERMISSIVE
from transforms.sources.llm import LLMConfig, SampleCandidates
from transforms.sources.mutants import OPERATORS, AddVerifiedMutants, MutantConfig
from transforms.sources.tasks import CorpusConfig, CorpusSource


def _csv(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip())


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m transforms.sources", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="source", required=True)
    commits = sub.add_parser("commits", help="mine single-file commits from git repositories and/or JSONL exports")
    commits.add_argument("--repo", action="append", default=[], help="local repository path (repeatable)")
    commits.add_argument("--repo_list", default="", help="file listing repository paths, one per line")
    commits.add_argument("--export", action="append", default=[], help="commit export JSONL file or glob (repeatable)")
    commits.add_argument("--since", default="", help="keep commits on or after this date (ISO 8601)")
    commits.add_argument("--until", default="", help="keep commits before this date (ISO 8601)")
    commits.add_argument("--licences", default=",".join(PERMISSIVE), help="allowed SPDX licence ids")
    commits.add_argument("--languages", default=",".join(CANONICAL_LANGUAGES), help="languages to keep")
    commits.add_argument("--min_message_chars", type=int, default=CommitConfig.min_message_chars)
    commits.add_argument("--max_message_chars", type=int, default=CommitConfig.max_message_chars)
    commits.add_argument("--synthesize_prompts", action="store_true",
                         help="let the configured LLM write each commit's prompt (else a template)")
    corpus = sub.add_parser("corpus", help="group CodeNet-style solution corpora into tasks")
    corpus.add_argument("--codenet_root", default="", help="a Project CodeNet tree")
    corpus.add_argument("--submissions", default="", help="submissions JSONL (problem_id, language, code, status)")
    corpus.add_argument("--problems", default="", help="problems JSONL (problem_id, prompt, tests)")
    corpus.add_argument("--statuses", default="", help="keep only these verdicts, e.g. 'Accepted,Wrong Answer'")
    corpus.add_argument("--max_candidates", type=int, default=0, help="per task (0: all)")
    corpus.add_argument("--source_name", default="codenet", help="the tasks' `source` column")
    mutants = sub.add_parser("mutants", help="append sandbox-verified mutants to the candidates of task JSONL")
    mutants.add_argument("--input", required=True, help="task JSONL (the native task format)")
    mutants.add_argument("--max_mutants", type=int, default=3, help="per candidate")
    mutants.add_argument("--operators", default=",".join(OPERATORS))
    mutants.add_argument("--sandbox", default="process", choices=["process", "docker"])
    mutants.add_argument("--allow_unisolated", action="store_true")
    for p in (commits, corpus, mutants):
        p.add_argument("--output", required=True, help="directory for tasks.jsonl and dead_letters.jsonl")
        p.add_argument("--dedup", action="store_true", help="exact + MinHash near dedup of the tasks")
        p.add_argument("--shingle_size", type=int, default=20, help="tokens per MinHash shingle")
        p.add_argument("--near_threshold", type=float, default=0.75, help="estimated Jaccard that counts as duplicate")
        p.add_argument("--decontaminate", nargs="*", default=[], help="benchmark JSONL/text files to decontaminate against")
        p.add_argument("--decontaminate_fields", default="prompt", help="JSONL fields holding benchmark text")
        p.add_argument("--ngram", type=int, default=13, help="word n-gram size for decontamination")
        p.add_argument("--llm_endpoint", default="", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1")
        p.add_argument("--llm_engine", default="http", choices=["http", "vllm"])
        p.add_argument("--llm_model", default="", help="model name (or local path for --llm_engine vllm)")
        p.add_argument("--llm_api", default="chat", choices=["chat", "completions"])
        p.add_argument("--llm_samples", type=int, default=0, help="model-written candidates to add per task")
        p.add_argument("--llm_concurrency", type=int, default=8)
        p.add_argument("--llm_cache", default="", help="SQLite response cache")
    return ap


def _llm(args) -> LLMConfig | None:
    if not args.llm_model:
        return None
    return LLMConfig(model=args.llm_model, endpoint=args.llm_endpoint, engine=args.llm_engine, api=args.llm_api,
                     concurrency=args.llm_concurrency, cache_path=args.llm_cache)


def _source(root, args) -> dict:
    if args.source == "commits":
        config = CommitConfig(languages=_csv(args.languages), licences=_csv(args.licences), since=args.since,
                              until=args.until, min_message_chars=args.min_message_chars,
                              max_message_chars=args.max_message_chars)
        return root | "Commits" >> CommitSource(args.repo, args.repo_list, args.export, config,
                                                llm=_llm(args) if args.synthesize_prompts else None)
    if args.source == "corpus":
        config = CorpusConfig(statuses=_csv(args.statuses), max_candidates=args.max_candidates, source=args.source_name)
        return root | "Corpus" >> CorpusSource(args.submissions, args.problems, args.codenet_root, config)
    tasks = (root | "ReadTasks" >> beam.io.ReadFromText(args.input)
             | "ParseTasks" >> beam.Map(lambda line: Task.from_dict(json.loads(line))))
    config = MutantConfig(operators=_csv(args.operators), max_mutants=args.max_mutants)
    execute = ExecuteConfig(backend=args.sandbox, allow_unisolated=args.allow_unisolated, repetitions=1)
    return tasks | "Mutants" >> AddVerifiedMutants(config, execute)


def build(root, args) -> dict:
    """The source, then the optional dedup, decontamination and sampling steps."""
    out = _source(root, args)
    tasks, dead = out["tasks"], [out[DEAD_LETTERS]]
    steps = []
    if args.dedup:
        steps.append(("Dedup", Deduplicate(MinHashConfig(shingle_size=args.shingle_size, threshold=args.near_threshold))))
    if args.decontaminate:
        texts = load_benchmark_texts(args.decontaminate, _csv(args.decontaminate_fields))
        steps.append(("Decontaminate", Decontaminate(texts, n=args.ngram)))
    for label, transform in steps:
        result = tasks | label >> transform
        tasks, dead = result["records"], dead + [result[DEAD_LETTERS]]
    llm = _llm(args)
    if llm is not None and args.llm_samples:
        sampled = tasks | "Sample" >> SampleCandidates(llm, n=args.llm_samples)
        tasks, dead = sampled["tasks"], dead + [sampled[DEAD_LETTERS]]
    return {"tasks": tasks, DEAD_LETTERS: dead | "AllDeadLetters" >> beam.Flatten()}


def main(argv: Sequence[str]) -> int:
    args, beam_args = parser().parse_known_args(argv)
    os.makedirs(args.output, exist_ok=True)
    with beam.Pipeline(options=PipelineOptions(beam_args)) as pipeline:
        out = build(pipeline, args)
        for name in ("tasks", DEAD_LETTERS):
            (out[name]
             | f"Json{name}" >> beam.Map(lambda r: json.dumps(r.to_dict(), sort_keys=True, ensure_ascii=False))
             | f"Write{name}" >> beam.io.WriteToText(os.path.join(args.output, name), file_name_suffix=".jsonl",
                                                     shard_name_template=""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
