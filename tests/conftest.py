import json
import os
import pathlib
import subprocess

import pytest

from sandboxes.process import ProcessSandbox

EXAMPLE_TASKS = pathlib.Path(__file__).resolve().parents[1] / "examples" / "tasks.jsonl"
SHARED_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


@pytest.fixture(scope="session")
def shared_data() -> str:
    """../shared/data beside the checkout (CI clones with shared/ beside it)."""
    path = os.path.abspath(SHARED_DATA)
    if not os.path.isdir(path):
        pytest.fail(f"real data not found at {path}: the tests expect ../shared/data beside the checkout")
    return path


@pytest.fixture
def git_commit():
    """commit(root, message="s", init=True): every file under root committed, after a git init unless told not."""
    def commit(root, message: str = "s", init: bool = True) -> None:
        commands = ([["init", "-q"]] if init else []) + [
            ["add", "."], ["-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", message]]
        for command in commands:
            subprocess.run(["git", "-C", str(root), *command], check=True)
    return commit


@pytest.fixture(scope="module")
def process_sandbox(request):
    """A two-worker process sandbox under the test module's LIMITS, shared by the module's tests."""
    with ProcessSandbox(request.module.LIMITS, workers=2) as box:
        yield box


@pytest.fixture(scope="module")
def corpus(request, tmp_path_factory) -> pathlib.Path:
    """examples/tasks.jsonl cut to the test module's TASKS (task ids)."""
    rows = [json.loads(line) for line in EXAMPLE_TASKS.read_text().splitlines()]
    path = tmp_path_factory.mktemp("corpus") / "tasks.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows if r["task_id"] in request.module.TASKS))
    return path
