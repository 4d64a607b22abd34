import os

import pytest

SHARED_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


@pytest.fixture(scope="session")
def shared_data() -> str:
    """../shared/data beside the checkout (CI clones with shared/ beside it)."""
    path = os.path.abspath(SHARED_DATA)
    if not os.path.isdir(path):
        pytest.fail(f"real data not found at {path}: the tests expect ../shared/data beside the checkout")
    return path
