"""Workers refuse to start when the sandbox cannot isolate programs (Dask preload, Dataflow entrypoint)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from dask_cluster import REPO_ROOT, ClusterError, LocalDaskCluster

NO_BWRAP = "bubblewrap not found (`apt-get install bubblewrap`)"


@pytest.fixture
def path_without_bwrap(tmp_path) -> str:
    """A PATH with the C compiler (the launcher builds) but no bubblewrap."""
    for tool in ("gcc", "cc"):
        if shutil.which(tool):
            os.symlink(shutil.which(tool), tmp_path / tool)
    return str(tmp_path)


def startup_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipelines.worker_startup"], cwd=REPO_ROOT, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env}, timeout=120)


def test_entrypoint_check_passes_where_bubblewrap_isolates():
    done = startup_check({"THEMIS_SANDBOX": "process"})
    assert (done.returncode, done.stderr.strip()) == (0, "themis: process sandbox ready, isolated")


def test_entrypoint_check_fails_fast_with_the_reason(path_without_bwrap):
    done = startup_check({"THEMIS_SANDBOX": "process", "PATH": path_without_bwrap})
    assert done.returncode == 1
    assert "cannot run the process sandbox: cannot isolate programs: " + NO_BWRAP in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.xdist_group("dask")
def test_dask_worker_without_isolation_does_not_join_the_cluster(path_without_bwrap):
    cluster = LocalDaskCluster(n_workers=1, preload="pipelines.dask_preload", env={"PATH": path_without_bwrap})
    with pytest.raises(ClusterError) as failure:
        cluster.start()
    assert "dask worker-0 exited while waiting for 1 workers to register" in str(failure.value)
    assert NO_BWRAP in str(failure.value)


@pytest.mark.slow
@pytest.mark.xdist_group("dask")
def test_dask_worker_with_isolation_starts_and_says_so():
    with LocalDaskCluster(n_workers=1, preload="pipelines.dask_preload") as cluster:
        assert "themis: process sandbox ready, isolated" in cluster.logs()
