"""The dataset card (OUTPUT/README.md): Hugging Face `dataset_info` front matter, how the
pairs were labelled (with this build's thresholds), pairs by criterion x language, ties
and dropped records. Rendered from the manifest alone, so regenerate and report agree."""
from __future__ import annotations

import yaml

from pipelines import manifest as mf
from schemas import PreferencePair
from schemas.records import ASPECTS
from transforms.label_config import LabelConfig

_HF_DTYPES = {"string": "string", "double": "float64", "int64": "int64", "bool": "bool"}


def _features() -> list[dict]:
    return [{"name": f.name, "dtype": _HF_DTYPES.get(str(f.type), str(f.type))} for f in PreferencePair.arrow_schema()]


def _rules(config: dict) -> list[str]:
    """One line per criterion, with the thresholds this build used (LabelConfig's defaults where the
    manifest lacks one: a manifest written before the setting existed)."""
    defaults = LabelConfig()

    def get(name: str, default=None):
        return config.get(name, getattr(defaults, name, default))

    alpha, stages = get("alpha"), get("ab_max_stages")
    return [
        "- **Functional_Correctness**: one candidate passes every test in every repetition, the other fails a "
        "test or does not compile; a candidate that passed a repetition and failed a later one is flaky: a tie. Sandbox errors never count as failures, nor do timeouts in which the program used less than "
        f"{get('timeout_cpu_fraction'):g} of its {get('cpu_limit', 10.0):g} s CPU budget (the machine's doing).",
        "- **Runtime_Efficiency**: both pass; for the "
        f"{get('ab_pairs_per_task')} pairs per task with the largest single-run CPU ratio, the two programs "
        "and their start-up stubs (the same runtime and imports, none of the candidate's code) are run "
        f"alternately in up to {stages} stages of {get('ab_repetitions')} runs each, and each side's CPU time "
        f"over its stub's is compared (at least {get('runtime_floor_ms'):g} ms: both under it is a "
        "`below_resolution` tie); after each stage, labelled when a two-sided Mann-Whitney U test on all runs so far gives "
        f"p < {alpha:g} / {stages} (Bonferroni over the stages) and the Hodges-Lehmann CPU-time ratio (median of the "
        f"pairwise ratios) is at least {get('runtime_ratio'):g}; a tie, recorded in ties.jsonl, when that "
        f"ratio is under {get('ab_continue_ratio'):g} or after the last stage.",
        "- **Memory_Efficiency**: both pass; the ratio of median peak memory above each side's own start-up stub's "
        f"is at least {get('memory_ratio'):g}, figures below "
        f"{get('memory_floor_mb'):g} MiB counting as that floor.",
        "- **Security_Hardness**: one candidate has findings of severity "
        f"{str(get('security_min_severity')).upper()} or higher (semgrep, the other analyzers, the sanitizer build, "
        "security tests) that the other lacks, and not the other "
        "way round; both pass the tests where tests exist. When each has such a finding the other lacks, the pair "
        "is a `conflicting_findings` tie. A mined security-fix commit is recorded as evidence.",
        "- **Readability_Maintainability**: tree-sitter readability scores differ by at least "
        f"{get('readability_threshold'):g} points, and both pass the tests, or (without tests) the pair is the "
        "two versions of a refactoring commit.",
    ]


def _aspect_language_table(counts: dict) -> list[str]:
    totals: dict[tuple[str, str], int] = {}
    for _split, aspect, language, n in mf.pairs_table_rows(counts):
        totals[(aspect, language)] = totals.get((aspect, language), 0) + n
    if not totals:
        return ["No pairs were labelled."]
    languages = sorted({language for _, language in totals})
    aspects = [a for a in ASPECTS if any(a == k[0] for k in totals)]
    lines = ["| criterion | " + " | ".join(languages) + " | total |", "|---" * (len(languages) + 2) + "|"]
    for aspect in aspects:
        row = [totals.get((aspect, language), 0) for language in languages]
        lines.append(f"| {aspect} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    column = [sum(totals.get((a, language), 0) for a in aspects) for language in languages]
    lines.append("| **total** | " + " | ".join(map(str, column)) + f" | {sum(column)} |")
    return lines


def render_card(manifest: dict) -> str:
    counts = manifest["counts"]
    config = manifest.get("config", {})
    split_sizes: dict[str, int] = {}
    for split, _aspect, _language, n in mf.pairs_table_rows(counts):
        split_sizes[split] = split_sizes.get(split, 0) + n
    front = {
        "dataset_info": {
            "features": _features(),
            "splits": [{"name": s, "num_examples": n} for s, n in sorted(split_sizes.items())],
        },
        "configs": [{"config_name": "default",
                     "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in sorted(split_sizes)]}],
        "tags": ["code", "preference", "reward-model"],
    }
    lines = ["---", yaml.safe_dump(front, sort_keys=False).rstrip(), "---", "",
             "# Code preference pairs built by the Themis pipeline", "",
             f"Built from `{manifest['input']['spec']}` (format `{manifest['input']['format']}`, "
             f"input fingerprint `{manifest['input']['fingerprint'][:16]}`) with the `{config.get('sandbox', '')}` "
             "sandbox. Columns follow Themis-CodePreference (`system, input, chosen, rejected, language, aspect`) "
             "plus ids, `split` (by task id: no task is in two splits), `margin`, `p_value` and `evidence` (JSON: "
             "measured times, memory, findings, metric deltas), so every label can be audited.", "",
             "## How pairs were labelled", ""]
    lines += _rules(config)
    lines += ["", f"At most {config.get('max_pairs_per_task', 3)} pairs per task and criterion (largest margin "
              "first); two candidates that are the same program up to comments and the spacing between tokens "
              "(literals and Python indentation kept) are never paired. The system prompt is none, the pair's criterion, or all criteria in shuffled order, with "
              f"probabilities {config.get('system_prompt_none', 0.15):g} / {config.get('system_prompt_single', 0.425):g}"
              " / the rest, drawn from the pair id.", "",
              "## Pairs by criterion and language", ""]
    lines += _aspect_language_table(counts)
    lines += ["", "## Pairs by split", "", "| split | criterion | language | pairs |", "|---|---|---|---|"]
    lines += [f"| {s} | {a} | {lang} | {n} |" for s, a, lang, n in mf.pairs_table_rows(counts)]
    ties = counts.get("ties", {})
    if ties:
        lines += ["", "## Ties (eligible pairs the evidence could not separate, in ties.jsonl)", "",
                  "| criterion | ties |", "|---|---|"]
        lines += [f"| {aspect} | {n} |" for aspect, n in sorted(ties.items())]
    lines += ["", "## Dropped records (in dead_letters/)", "", "| stage.reason | count |", "|---|---|"]
    lines += [f"| {k} | {n} |" for k, n in mf.dead_letter_totals(counts).items()]
    lines += ["", "Regenerate with other thresholds, executing nothing: "
              "`themis regenerate --from THIS_DIR --output NEW_DIR --runtime_ratio 1.5`."]
    return "\n".join(lines) + "\n"
