"""The build's Beam counters, mirrored to a local side channel for the progress display.

Beam's local runner (the DirectRunner's FnApiRunner, in memory or multi-process) answers
`metrics()` only once `run()` has returned, i.e. after the pipeline finished: its bundle
progress requests (fn_runner.ProgressRequester) are sent without a callback and their answers
dropped, and the PrismRunner, which returns while running, downloads its Go binary at start (no
network here). So when THEMIS_PROGRESS_DIR is set (pipelines/build.py sets it for every build;
only the local runner's workers inherit it), each worker process also keeps its cumulative
counts and rewrites `<dir>/<pid>.json` at most once a second (temp name, rename). Figures read
there are for display only: the final ones come from Beam's metrics.
"""
from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter

from apache_beam.metrics import Metrics

NAMESPACE = "themis"
DEAD_LETTER_NAMESPACE = "themis.dead_letters"  # `<stage>.<reason>` of every dead letter
PROGRESS_DIR_ENV = "THEMIS_PROGRESS_DIR"
_FLUSH_SECONDS = 1.0


def count(name: str, n: int = 1, namespace: str = NAMESPACE) -> None:
    """Add `n` to Beam's counter `namespace`/`name`, and to this process's mirror when one is asked for."""
    Metrics.counter(namespace, name).inc(n)
    folder = os.environ.get(PROGRESS_DIR_ENV)
    if folder and n:
        _MIRROR.add(folder, f"{namespace}:{name}", n)


class _Mirror:
    """This process's cumulative counts for one build's folder (a new folder starts from zero: one
    process may serve several builds), written by a daemon thread while they change."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts: Counter = Counter()
        self._folder = ""
        self._dirty = threading.Event()
        self._thread = None

    def add(self, folder: str, key: str, n: int) -> None:
        with self._lock:
            if folder != self._folder:
                self._folder, self._counts = folder, Counter()
            self._counts[key] += n
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._flush_loop, daemon=True)
                self._thread.start()
        self._dirty.set()

    def _flush_loop(self) -> None:
        while self._dirty.wait():
            self._dirty.clear()
            with self._lock:
                path, text = os.path.join(self._folder, f"{os.getpid()}.json"), json.dumps(dict(self._counts))
            try:
                with open(path + ".tmp", "w") as fh:
                    fh.write(text)
                os.replace(path + ".tmp", path)
            except OSError:  # that build finished and removed its folder; the next count restarts the thread
                return
            time.sleep(_FLUSH_SECONDS)  # at most one write a second


_MIRROR = _Mirror()


def read_mirror(folder: str) -> dict[str, int]:
    """The sum of every worker process's counts under `folder` (keys `namespace:name`)."""
    total: Counter = Counter()
    try:
        names = [n for n in os.listdir(folder) if n.endswith(".json")]
    except FileNotFoundError:
        return {}
    for name in names:
        try:
            with open(os.path.join(folder, name)) as fh:
                total.update(json.load(fh))
        except (OSError, ValueError):  # replaced or half-written between listdir and open: next poll
            continue
    return dict(total)
