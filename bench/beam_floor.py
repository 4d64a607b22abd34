"""The least a Beam build could cost: program files run once each, each in a fresh bubblewrap sandbox
or not isolated at all, as the one step of the smallest Beam pipeline (the files' paths read from a
text file, every run queued on a pool of `concurrency` threads as it arrives), on the FnApiRunner in
this process as a local `themis build` runs. Reference rows of bench/bench_bare_harness.py (`--floors`):

    python -m bench.beam_floor PATHS_FILE CONCURRENCY isolate|bare    # prints the runs that exited 0
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

# The system's python3, the interpreter the sandbox runs (not this virtualenv's: its site packages and
# editable-install hooks cost tens of ms per start).
PYTHON = shutil.which("python3", path=os.defpath) or "python3"
# The namespaces sandboxes/process.py unshares per run, over the host's root read-only.
BWRAP = ("bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--die-with-parent",
         "--new-session", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp")


def run_program(path: str, isolate: bool) -> bool:
    """Run one program file once; True if it exited 0."""
    argv = [PYTHON, "-I", path]
    if isolate:  # the program file lives under /tmp: bind it back over the sandbox's empty /tmp
        argv = [*BWRAP, "--ro-bind", path, path, "--", *argv]
    return subprocess.run(argv, capture_output=True, timeout=60).returncode == 0


def main(argv: list[str]) -> int:
    import concurrent.futures

    import apache_beam as beam
    from apache_beam.runners.portability.fn_api_runner import fn_runner

    paths_file, concurrency, isolate = argv[0], int(argv[1]), argv[2] == "isolate"

    class RunPrograms(beam.DoFn):
        def setup(self):
            self.pool = concurrent.futures.ThreadPoolExecutor(concurrency)

        def start_bundle(self):
            self.futures = []

        def process(self, path):
            self.futures.append(self.pool.submit(run_program, path, isolate))

        def finish_bundle(self):
            passed = sum(f.result() for f in self.futures)
            yield beam.transforms.window.GlobalWindows.windowed_value(passed)

    with beam.Pipeline(runner=fn_runner.FnApiRunner()) as pipeline:
        (pipeline | beam.io.ReadFromText(paths_file) | beam.ParDo(RunPrograms())
         | beam.CombineGlobally(sum) | beam.Map(print))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
