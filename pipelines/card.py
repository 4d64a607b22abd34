"""The dataset card (OUTPUT/README.md): Hugging Face `dataset_info` front matter and build tables."""
from __future__ import annotations

import yaml

from pipelines import manifest as mf
from schemas import PreferencePair


def _features() -> list[dict]:
    names = {"string": "string", "double": "float64", "int64": "int64"}
    return [{"name": f.name, "dtype": names.get(str(f.type), str(f.type))} for f in PreferencePair.arrow_schema()]


def render_card(manifest: dict) -> str:
    counts = manifest["counts"]
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
             f"input fingerprint `{manifest['input']['fingerprint'][:16]}`).", "",
             "| split | criterion | language | pairs |", "|---|---|---|---|"]
    lines += [f"| {s} | {a} | {lang} | {n} |" for s, a, lang, n in mf.pairs_table_rows(counts)]
    lines += ["", "## Dropped records", "", "| stage.reason | count |", "|---|---|"]
    lines += [f"| {k} | {n} |" for k, n in mf.dead_letter_totals(counts).items()]
    return "\n".join(lines) + "\n"
