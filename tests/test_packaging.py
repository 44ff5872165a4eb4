"""What a scikit-learn library ships besides code."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.artefact

tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

ROOT = Path(__file__).resolve().parents[1]


def test_license_is_the_bsd_3_clause_text_pyproject_declares():
    # setuptools puts LICENSE* into the wheel's and sdist's metadata by default
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("BSD 3-Clause License")
    assert "Neither the name of the copyright holder" in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == {"text": "BSD-3-Clause"}


@pytest.mark.parametrize("hook", ["build_sdist", "build_wheel"])
def test_license_ships_in_the_sdist_and_the_wheel(hook, tmp_path):
    import subprocess
    import sys
    import tarfile
    import zipfile

    pytest.importorskip("setuptools")
    if hook == "build_wheel":
        try:  # setuptools >= 70.1 builds wheels itself, older ones need wheel
            import setuptools.command.bdist_wheel  # noqa: F401
        except ImportError:
            pytest.importorskip("wheel")
    # the build backend of pyproject.toml, called as pip and build call it
    script = (
        "import sys, setuptools.build_meta as backend; "
        f"print(backend.{hook}(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    built = tmp_path / done.stdout.strip().splitlines()[-1]
    if hook == "build_sdist":
        with tarfile.open(built) as archive:
            names = archive.getnames()
    else:
        with zipfile.ZipFile(built) as archive:
            names = archive.namelist()
    licenses = [name for name in names if Path(name).name == "LICENSE"]
    assert licenses, names
