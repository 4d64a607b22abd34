"""`themis regenerate`: relabel a finished build with new thresholds, executing nothing.

Reads BUILD_DIR/manifest.json (input, format, column map, every flag value) and
reruns the build with the labelling flags overridden, `--reuse_store BUILD_DIR`
and `allow_execute=False`: every measurement, A/B run, baseline and static report
comes from BUILD_DIR/store/ (the Parquet store that travels with the output, on
any Beam file system); anything missing becomes a 'not_in_store' dead letter.
"""
from __future__ import annotations

import argparse
import os
import sys

from apache_beam.io.filesystems import FileSystems

from pipelines import manifest as mf
from pipelines.options import ConfigError, config_to_flags, flag_parser

HELP = """Relabel a finished build with new thresholds, executing nothing.

Takes the input, column map and every flag of BUILD_DIR's build from its
manifest.json; only the labelling flags below (and --splits, --num_shards) may
change. Measurements, A/B runs and static reports are read from the build's
measurement store (BUILD_DIR/store/, which travels with the output: BUILD_DIR may be
gs://... or any Beam file system); nothing is executed or scanned again. With the build's own
config the shards come out byte for byte the same.

example:
  themis regenerate --from out/demo --output out/demo-strict --runtime_ratio 1.5 --alpha 0.0005
  themis regenerate --from out/demo --output out/demo-balanced --config strict.yaml
"""

EXTRA_FLAGS = ("splits", "num_shards")
NEEDS_MEASUREMENT = ("ab_pairs_per_task",)  # labelling flags that choose what gets measured


def _overridable(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    labelling = next(g for g in parser._action_groups if g.title == "labelling")
    return [a for a in labelling._group_actions if a.dest not in NEEDS_MEASUREMENT] + [
        a for a in parser._actions if a.dest in EXTRA_FLAGS]


def _add_overrides(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("labelling overrides (default: the build's own value)")
    for action in _overridable(flag_parser()):
        group.add_argument(*action.option_strings, dest=action.dest, type=action.type, default=None,
                           help=action.help)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="from_dir", required=True,
                        help="output directory (or URL) of a finished `themis build`")
    parser.add_argument("--output", required=True, help="where to write the relabelled shards, manifest and card")
    parser.add_argument("--config", default=None, help="YAML file of labelling flags (keys without '--')")
    _add_overrides(parser)


def regenerate_flags(manifest: dict, overrides: dict, output: str, build_dir: str) -> list[str]:
    """The build's flags with the overrides applied, as argv for `themis build`: the stored records
    come from `build_dir`'s store; the cache is the new output's own (the build's was on its workers)."""
    values = dict(manifest["config"])
    values.update({k: v for k, v in overrides.items() if v is not None})
    values.update(output=output, store=None, reuse_store=[build_dir])
    argv: list[str] = []
    for key, value in sorted(values.items()):
        if isinstance(value, bool):
            argv += [f"--{key}"] if value else []
        elif isinstance(value, list):
            argv += [arg for item in value for arg in (f"--{key}", str(item))]
        elif value is not None:
            argv += [f"--{key}", str(value)]
    return argv


def _config_overrides(path: str) -> dict:
    """Labelling flags from a YAML file, refusing flags that would need new measurements."""
    parser = argparse.ArgumentParser(add_help=False)
    _add_overrides(parser)
    values, rejected = parser.parse_known_args(config_to_flags(path))
    if rejected:
        raise ConfigError(f"config {path}: {rejected[0]} cannot change in a regenerate (it would need new "
                          f"measurements); only the labelling flags, --splits and --num_shards can")
    return vars(values)


def _absolute(path: str) -> str:
    return path.rstrip("/") if "://" in path else os.path.abspath(path)


def prepare(args: argparse.Namespace) -> tuple[dict, list[str]]:
    """The old build's manifest and the argv of the relabelling build; ConfigError says what is wrong."""
    build_dir = _absolute(args.from_dir)
    manifest_path = FileSystems.join(build_dir, mf.MANIFEST_FILE)
    if not FileSystems.exists(manifest_path):
        raise ConfigError(f"{manifest_path} not found: --from must be the output directory of a finished "
                          "`themis build`")
    if _absolute(args.output) == build_dir:
        raise ConfigError("--output must differ from --from: regenerate writes a new build next to the old one")
    manifest = mf.read_json(manifest_path)
    overrides = _config_overrides(args.config) if args.config else {}
    overrides.update({a.dest: getattr(args, a.dest) for a in _overridable(flag_parser())
                      if getattr(args, a.dest) is not None})
    return manifest, regenerate_flags(manifest, overrides, args.output, build_dir)


def _fail(exc: Exception) -> int:
    print(f"themis regenerate: {exc}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace, beam_args: list[str]) -> int:
    try:
        manifest, argv = prepare(args)
    except ConfigError as exc:
        return _fail(exc)
    from pipelines.build import BuildError, make_options, print_summary, run_build
    from pipelines.runners import stopped_run_exit
    from transforms.read import InputError

    try:
        result = run_build(make_options(argv + list(beam_args)), allow_execute=False)
    except (BuildError, ConfigError, InputError) as exc:
        return _fail(exc)
    except (KeyboardInterrupt, RuntimeError) as exc:  # RunLost, or Ctrl-C as Beam re-raises it
        return stopped_run_exit("themis regenerate", exc)
    if result["input"]["fingerprint"] != manifest["input"]["fingerprint"]:
        print(f"themis regenerate: warning: {result['input']['spec']} changed since the build; candidates that "
              "are new were not measured (see dead_letters/)", file=sys.stderr)
    print_summary(result)
    return 0
