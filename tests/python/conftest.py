"""Shared fixtures of the Python tests: ctest runs them with PYTHONPATH at build/python and
DESCENT_BIN naming the built command."""
import os

import pytest


@pytest.fixture
def descent_bin():
    path = os.environ.get("DESCENT_BIN")
    if not path or not os.path.exists(path):
        pytest.skip("DESCENT_BIN does not name the built descent program (ctest sets it)")
    return path
