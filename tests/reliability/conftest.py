"""Fixtures of the reliability tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def shim(tmp_path_factory) -> Path:
    """faultshim.c built as a preload library: writes into a chosen folder fail with a chosen errno."""
    cc = shutil.which("cc") or shutil.which("gcc")
    if not cc or not sys.platform.startswith("linux"):
        pytest.skip("needs a C compiler on Linux to build the fault-injection shim")
    out = tmp_path_factory.mktemp("shim") / "faultshim.so"
    subprocess.run([cc, "-shared", "-fPIC", "-O1", "-o", str(out), str(HERE / "faultshim.c"), "-ldl"], check=True)
    return out
