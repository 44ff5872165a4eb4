"""The command line: ``python -m sklearn_sas demo``."""

import subprocess
import sys

import numpy as np
import pytest

from sklearn_sas.__main__ import main
from sklearn_sas.compression import load_masks


def test_demo_end_to_end(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out = tmp_path / "demo"
    code = main(
        ["demo", "--out", str(out), "--epochs", "3", "--hidden", "16", "--n-networks", "2"]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "SaSMLPClassifier, mean network" in printed
    assert "MLPClassifier (backprop)" in printed
    assert "2 sampled networks" in printed
    assert "entropy/conn" in printed  # the credit table
    assert "epoch 3/3" in printed  # progress
    for name in ["masks_uip.npz", "masks_map.npz", "distributions.png",
                 "entropy.png", "layer_profile.png", "perturbation.png"]:  # fmt: skip
        assert (out / name).stat().st_size > 0, name
    masks = load_masks(out / "masks_map.npz")
    assert [m.shape for m in masks] == [(64, 16), (16, 10)]
    assert masks.info["rule"] == "map"
    assert (out / "distributions.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_demo_without_figures(tmp_path, capsys):
    out = tmp_path / "plain"
    assert main(["demo", "--out", str(out), "--epochs", "2", "--hidden", "8",
                 "--no-figures", "--quiet", "--n-networks", "1"]) == 0  # fmt: skip
    assert not list(out.glob("*.png"))
    assert "SaSMLPClassifier [" not in capsys.readouterr().out
    assert len(list(out.glob("*.npz"))) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        ([], "required"),
        (["demo", "--epochs", "0"], "--epochs"),
        (["demo", "--data", "cifar"], "invalid choice"),
        (["demo", "--test-size", "1.5"], "--test-size"),
        (["bogus"], "invalid choice"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_code_2(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_sas", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert result.stdout == ""


def test_help_documents_every_option():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_sas", "demo", "--help"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0
    for option in ["--data", "--out", "--hidden", "--epochs", "--batch-size",
                   "--test-size", "--n-networks", "--seed", "--no-figures", "--quiet"]:  # fmt: skip
        assert option in result.stdout
    assert np.all([word in result.stdout for word in ["digits", "mnist"]])
