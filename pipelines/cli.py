"""The `themis` command line.

Each subcommand lives in its own module exposing `HELP`, `add_arguments(parser)`
and `run(args, beam_args) -> int`, or `main(argv) -> int` when it parses its own
flags; modules are imported only when their
subcommand runs, so `themis --help` stays fast and optional extras stay optional.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
from typing import Optional, Sequence

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    # name: (module, one-line help)
    "build": ("pipelines.build", "build preference shards from a task corpus"),
    "regenerate": ("pipelines.regenerate", "relabel a finished build with new thresholds, executing nothing"),
    "report": ("pipelines.report", "render an HTML report with plots for a build directory"),
    "doctor": ("pipelines.doctor", "show which languages, isolation features, counters and analyzers this machine offers"),
    "images": ("sandboxes.images", "build or list the per-language Docker sandbox images"),
    "train": ("trainer.cli_train", "train a reward model from shards"),
    "eval": ("trainer.cli_eval", "evaluate a reward model on a CodeRewardBench-style Parquet"),
    "score": ("trainer.cli_score", "score code with a trained reward model"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="themis",
        description="Measured code-preference data: mine, execute, scan and label code pairs on five "
                    "criteria in eight languages, and train reward models on the shards.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in SUBCOMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _quiet_noise(record: logging.LogRecord) -> bool:
    # Beam warns at import when the GCP extra is absent (only Dataflow users need it), and logs a Ctrl-C
    # met inside a DoFn with its traceback before re-raising it (the command then says it was interrupted).
    message = record.getMessage()
    return "apitools not found" not in message and not message.startswith("KeyboardInterrupt [while running")


def _configure_logging() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_quiet_noise)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _configure_logging()
    parser = _parser()
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in SUBCOMMANDS:
        if argv and argv[0] not in ("-h", "--help"):
            parser.print_usage(sys.stderr)
            print(f"themis: unknown command {argv[0]!r}; see `themis --help`", file=sys.stderr)
            return 2
        parser.print_help()
        return 0
    name, rest = argv[0], argv[1:]
    module_name, help_text = SUBCOMMANDS[name]
    module = importlib.import_module(module_name)
    if hasattr(module, "main"):  # parses its own flags (build: Beam's flags pass through)
        return int(module.main(rest) or 0)
    sub = argparse.ArgumentParser(prog=f"themis {name}", description=getattr(module, "HELP", help_text),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    module.add_arguments(sub)
    args, beam_args = sub.parse_known_args(rest)
    return int(module.run(args, beam_args) or 0)


if __name__ == "__main__":
    sys.exit(main())
