"""The code passes the linter configured in pyproject.toml (``[tool.ruff]``)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.artefact

ROOT = Path(__file__).resolve().parents[1]
# the folders kept clean; run `ruff check --fix PATH` to fix what it can
LINTED = ["sklearn_sas", "tests", "benchmarks", "examples", "docs", "maint_tools"]


def _ruff():
    """The command that runs ruff, or None when it is not installed."""
    executable = shutil.which("ruff")
    if executable is not None:
        return [executable]
    try:
        import ruff  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "ruff"]


def test_ruff_is_clean():
    command = _ruff()
    if command is None:
        pytest.skip("ruff is not installed (pip install ruff, or the test extra)")
    result = subprocess.run(
        [*command, "check", "--no-cache", *LINTED],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
