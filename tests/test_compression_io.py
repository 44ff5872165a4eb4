"""Mask and network archives: atomic writes, layouts on re-export, and the
errors of unreadable files."""

import contextlib
import io
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
import warnings
import zipfile
import zlib

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import (
    export_masks,
    export_network,
    load_masks,
    pruning_masks,
)
from sklearn_sas.compression._archive import (
    _FORMAT_VERSION,
    _NETWORK_FORMAT,
    _read_archive,
)


@pytest.fixture(scope="module")
def square(digits_split):
    """A network whose middle layer is square (8 x 8): a mask stored
    transposed by mistake still has the right shape there."""
    X_train, _, y_train, _ = digits_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier((8, 8), max_iter=5, random_state=0).fit(
            X_train, y_train
        )


@contextlib.contextmanager
def _raises_naming(path, match=None):
    """``pytest.raises(ValueError)`` whose message must name ``path``."""
    with pytest.raises(ValueError, match=match) as info:
        yield info
    assert str(path) in str(info.value), str(info.value)


# 1. atomic writes -------------------------------------------------------


def _failing_writer(error):
    """A stand-in for ``np.savez_compressed`` that writes part of an archive,
    the way a full disk or a Ctrl-C leaves it, then raises ``error``."""

    def write(file, **arrays):
        if hasattr(file, "write"):
            file.write(b"PK\x03\x04 half an archive")
        else:
            name = os.fspath(file)
            name = name if name.endswith(".npz") else name + ".npz"
            with open(name, "wb") as out:
                out.write(b"PK\x03\x04 half an archive")
        raise error

    return write


def _export(kind, fitted, path):
    if kind == "masks":
        return export_masks(fitted, path, rule="map")
    return export_network(fitted, path, rule="map")


@pytest.mark.parametrize("kind", ["masks", "network"])
@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_export_keeps_the_existing_file(
    square, tmp_path, monkeypatch, kind, error
):
    path = tmp_path / "out.npz"
    _export(kind, square, path)
    good = path.read_bytes()
    monkeypatch.setattr(np, "savez_compressed", _failing_writer(error))
    with pytest.raises(type(error)):
        _export(kind, square, path)
    assert path.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.npz"]


@pytest.mark.parametrize("kind", ["masks", "network"])
@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_export_leaves_no_file(square, tmp_path, monkeypatch, kind, error):
    monkeypatch.setattr(np, "savez_compressed", _failing_writer(error))
    with pytest.raises(type(error)):
        _export(kind, square, tmp_path / "out.npz")
    assert list(tmp_path.iterdir()) == []


def test_export_keeps_the_file_name_rules(square, tmp_path):
    # NumPy's rule, kept: ".npz" is added when missing
    export_masks(square, tmp_path / "masks")
    export_network(square, str(tmp_path / "net"))
    export_masks(square, os.fsencode(tmp_path / "bytes.npz"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "bytes.npz", "masks.npz", "net.npz",
    ]  # fmt: skip
    for name in ("masks.npz", "bytes.npz"):
        assert len(load_masks(tmp_path / name)) == 3
    # an open file is written as it is
    buffer = io.BytesIO()
    export_masks(square, buffer, layout="torch")
    buffer.seek(0)
    assert_array_equal(load_masks(buffer)[1], load_masks(tmp_path / "masks.npz")[1])
    # a missing folder is named as such, not the temporary file
    with pytest.raises(FileNotFoundError, match="nowhere'$"):
        export_masks(square, tmp_path / "nowhere" / "masks.npz")
    # bad metadata is refused before anything is written
    masks = pruning_masks(square)
    masks.info["note"] = object()
    with pytest.raises(TypeError, match="JSON"):
        export_masks(masks, tmp_path / "bad.npz")
    assert not (tmp_path / "bad.npz").exists()
    assert len(list(tmp_path.iterdir())) == 3


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_export_permissions_and_symlinks_as_an_in_place_write(square, tmp_path):
    umask = os.umask(0o022)
    os.umask(umask)
    path = tmp_path / "masks.npz"
    export_masks(square, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    # replacing a file keeps its permissions
    path.chmod(0o600)
    export_masks(square, path, layout="torch")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_masks(path).info["layout"] == "torch"
    # writing through a symbolic link updates the file it points to
    link = tmp_path / "link.npz"
    link.symlink_to(path)
    export_masks(square, link, layout="sklearn")
    assert link.is_symlink() and load_masks(path).info["layout"] == "sklearn"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.npz", "masks.npz"]


# what a user who cannot override file permissions sees: an earlier file
# made read-only, then written by open(path, "wb"), export_masks and
# export_network; printed as JSON
_WRITE_READ_ONLY_FILES = r"""
import json, os, sys
import numpy as np
from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import export_masks, export_network

folder = sys.argv[1]
X, y = np.random.RandomState(0).rand(20, 4), np.arange(20) % 2
clf = SaSMLPClassifier((3,), max_iter=1, random_state=0).fit(X, y)


def attempt(write, name):
    path = os.path.join(folder, name)
    with open(path, "wb") as file:
        file.write(b"earlier")
    os.chmod(path, 0o444)
    try:
        write(path)
        error = None
    except OSError as exc:
        error = [type(exc).__name__, str(exc)]
    with open(path, "rb") as file:
        content = file.read().decode("latin-1")
    return {"error": error, "content": content, "mode": os.stat(path).st_mode & 0o777}


report = {
    "open": attempt(lambda path: open(path, "wb").close(), "plain.npz"),
    "masks": attempt(lambda path: export_masks(clf, path), "masks.npz"),
    "network": attempt(lambda path: export_network(clf, path[:-4]), "network.npz"),
}
report["files"] = sorted(os.listdir(folder))
print(json.dumps(report))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_read_only_file_is_refused_as_open_refuses_it(tmp_path):
    # issue 22, item 5: the rename replaced a chmod 444 file (and kept 0444)
    command = [sys.executable, "-c", _WRITE_READ_ONLY_FILES, str(tmp_path)]
    if os.geteuid() == 0:
        # root overrides file permissions: run without that capability
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("run as root, and no setpriv to drop CAP_DAC_OVERRIDE")
        command = [setpriv, "--bounding-set=-all", "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode and result.stderr.startswith("setpriv"):
        pytest.skip(f"cannot drop the capabilities: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    if report["open"]["error"] is None:
        pytest.skip("this user writes read-only files (CAP_DAC_OVERRIDE)")
    plain = str(tmp_path / "plain.npz")
    assert report["open"]["error"] == [
        "PermissionError", f"[Errno 13] Permission denied: {plain!r}"
    ]  # fmt: skip
    for kind in ("masks", "network"):
        path = str(tmp_path / f"{kind}.npz")
        assert report[kind] == {
            # the error open() gives, naming the file as open() does
            "error": ["PermissionError", f"[Errno 13] Permission denied: {path!r}"],
            "content": "earlier",
            "mode": 0o444,
        }, kind
    # no temporary file left
    assert report["files"] == ["masks.npz", "network.npz", "plain.npz"]


@pytest.mark.parametrize("kind", ["masks", "network"])
def test_file_access_refuses_is_not_written(square, tmp_path, monkeypatch, kind):
    # issue 22, item 5, as root too: what os.access says about the file
    path = tmp_path / "out.npz"
    path.write_bytes(b"earlier")
    access = os.access

    def refused(name, mode, **kwargs):
        return os.fspath(name) != str(path) and access(name, mode, **kwargs)

    monkeypatch.setattr(os, "access", refused)
    with pytest.raises(PermissionError, match=r"Permission denied: '.*out\.npz'$"):
        _export(kind, square, path)
    assert path.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.npz"]
    # a folder is refused as open() refuses it, before anything is written
    (tmp_path / "folder.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="folder.npz"):
        _export(kind, square, tmp_path / "folder.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.npz", "out.npz"]


# 2. layouts on re-export ------------------------------------------------


@pytest.mark.parametrize("first", ["sklearn", "torch"])
@pytest.mark.parametrize("second", ["sklearn", "torch"])
def test_reexported_masks_round_trip_in_either_layout(square, tmp_path, first, second):
    masks = pruning_masks(square, rule="sparsity", sparsity=0.5, scope="layer")
    assert [m.shape for m in masks] == [(64, 8), (8, 8), (8, 10)]
    # else a transposed square mask would go unnoticed
    assert not np.array_equal(masks[1], masks[1].T)
    export_masks(masks, tmp_path / "first.npz", layout=first)
    loaded = load_masks(tmp_path / "first.npz")
    # in memory, masks are always (n_in, n_out), whatever the file's layout
    for a, b in zip(loaded, masks):
        assert_array_equal(a, b)
    export_masks(loaded, tmp_path / "second.npz", layout=second)
    again = load_masks(tmp_path / "second.npz")
    assert len(again) == len(masks)
    for a, b in zip(again, masks):
        assert a.dtype == bool
        assert_array_equal(a, b)
    assert again.info["layout"] == second
    assert again.info["layer_sizes"] == [64, 8, 8, 10]
    assert again.info["format_version"] == _FORMAT_VERSION
    # what the user chose is carried over
    assert again.info["rule"] == "sparsity" and again.info["sparsity"] == 0.5
    assert again.info["scope"] == "layer"
    with np.load(tmp_path / "second.npz") as raw:
        metadata = json.loads(str(raw["metadata"]))
        assert metadata["layout"] == second and metadata["n_layers"] == 3
        for k, mask in enumerate(masks):
            expected = mask.T if second == "torch" else mask
            assert_array_equal(raw[f"mask_{k}"], expected)


def test_stale_structural_info_is_not_written(square, tmp_path):
    masks = pruning_masks(square, rule="map")
    masks.info.update(
        format="other", format_version=99, layout="torch", layer_sizes=[1, 2],
        n_layers=7, version="0.0.0",
    )  # fmt: skip
    written = export_masks(masks, tmp_path / "masks.npz")
    # the masks returned keep how they were made, not the stale entries
    assert written.info == {
        "rule": "map", "pi_tol": 1e-6, "xi_tol": 1e-8, "m_tol": 1e-6,
    }  # fmt: skip
    loaded = load_masks(tmp_path / "masks.npz")
    assert loaded.info["layout"] == "sklearn"
    assert loaded.info["layer_sizes"] == [64, 8, 8, 10]
    assert loaded.info["n_layers"] == 3
    assert loaded.info["format_version"] == _FORMAT_VERSION
    assert loaded.info["version"] != "0.0.0"
    for a, b in zip(loaded, masks):
        assert_array_equal(a, b)


# 3. unreadable files ----------------------------------------------------


@pytest.fixture
def archive(square, tmp_path):
    path = tmp_path / "masks.npz"
    export_masks(square, path, rule="sparsity", sparsity=0.5)
    return path


def _contents(path):
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def _with_metadata(path, out, **changes):
    contents = _contents(path)
    metadata = json.loads(str(contents["metadata"]))
    metadata.update(changes)
    metadata = {k: v for k, v in metadata.items() if v is not None}
    contents["metadata"] = np.array(json.dumps(metadata))
    np.savez_compressed(out, **contents)
    return out


_DAMAGED = "not a readable .npz archive: its entry 'mask_1' is corrupted"


def _data_offset(path, member):
    """Where ``member``'s (compressed) data starts in the zip file, and its
    length."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = path.read_bytes()
    start = info.header_offset
    n_name, n_extra = struct.unpack("<HH", data[start + 26 : start + 30])
    return start + 30 + n_name + n_extra, info.compress_size


def test_truncated_archive(archive, tmp_path):
    data = archive.read_bytes()
    for size in (len(data) // 2, len(data) - 30, 10, 0):
        cut = tmp_path / f"cut{size}.npz"
        cut.write_bytes(data[:size])
        with _raises_naming(cut, match="not a readable .npz archive"):
            load_masks(cut)


def test_damaged_compressed_member(archive, tmp_path):
    start, size = _data_offset(archive, "mask_1.npy")
    data = bytearray(archive.read_bytes())
    # 0xff opens a deflate block of the reserved type 3: zlib refuses it
    data[start : start + 8] = b"\xff" * 8
    bad = tmp_path / "zlib.npz"
    bad.write_bytes(bytes(data))
    with zipfile.ZipFile(bad) as zf, pytest.raises(zlib.error):
        zf.read("mask_1.npy")
    with _raises_naming(bad, match=_DAMAGED):
        load_masks(bad)


def test_member_with_a_bad_checksum(archive, tmp_path):
    stored = tmp_path / "stored.npz"
    np.savez(stored, **_contents(archive))  # uncompressed members
    start, size = _data_offset(stored, "mask_1.npy")
    data = bytearray(stored.read_bytes())
    data[start + size - 1] ^= 1  # the last mask value: only the CRC sees it
    bad = tmp_path / "crc.npz"
    bad.write_bytes(bytes(data))
    with zipfile.ZipFile(bad) as zf, pytest.raises(zipfile.BadZipFile, match="CRC"):
        zf.read("mask_1.npy")
    with _raises_naming(bad, match=_DAMAGED):
        load_masks(bad)


def test_npy_file_is_not_an_archive(archive, tmp_path):
    path = tmp_path / "mask.npy"
    np.save(path, _contents(archive)["mask_0"])
    with _raises_naming(path, match="not a sklearn_sas.masks archive"):
        load_masks(path)


@pytest.mark.parametrize("version", [_FORMAT_VERSION + 1, 99])
def test_newer_format_version_is_refused(archive, tmp_path, version):
    newer = _with_metadata(archive, tmp_path / "newer.npz", format_version=version)
    match = (
        f"format_version {version} is newer than this version of sklearn_sas "
        f"reads \\({_FORMAT_VERSION}\\)"
    )
    with _raises_naming(newer, match=match):
        load_masks(newer)


@pytest.mark.parametrize("version", [None, 0, "1", 1.0, True, [1]])
def test_bad_format_version_is_refused(archive, tmp_path, version):
    # None: the entry is missing
    bad = _with_metadata(archive, tmp_path / "bad.npz", format_version=version)
    with _raises_naming(bad, match="invalid format_version"):
        load_masks(bad)


def test_missing_or_unreadable_metadata(archive, tmp_path):
    contents = _contents(archive)
    del contents["metadata"]
    path = tmp_path / "no_metadata.npz"
    np.savez_compressed(path, **contents)
    with _raises_naming(path, match="no sklearn_sas metadata entry"):
        load_masks(path)
    for entry in (np.array("{not json"), np.array(["{}", "{}"]), np.arange(3)):
        path = tmp_path / "broken.npz"
        np.savez_compressed(path, **dict(contents, metadata=entry))
        with _raises_naming(path, match="unreadable metadata entry"):
            load_masks(path)


@pytest.mark.parametrize(
    "sizes", [[64], [], "64,8", [64, 8.5, 8, 10], [64, 0, 8, 10], [64, True, 8]]
)
def test_bad_layer_sizes_are_refused(archive, tmp_path, sizes):
    bad = _with_metadata(archive, tmp_path / "bad.npz", layer_sizes=sizes)
    with _raises_naming(bad, match="layer_sizes should be"):
        load_masks(bad)


def test_network_and_masks_archives_are_told_apart(square, archive, tmp_path):
    network = tmp_path / "net.npz"
    export_network(square, network, rule="map")
    with _raises_naming(network, match="export_network"):
        load_masks(network)
    with _raises_naming(archive, match="export_masks"):
        _read_archive(archive, _NETWORK_FORMAT)
    contents, metadata = _read_archive(network, _NETWORK_FORMAT)
    assert metadata["n_layers"] == 3 and "coef_2" in contents


def test_missing_file_is_reported_as_such(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_masks(tmp_path / "nowhere.npz")


# exact behaviour the mutation run found unchecked ------------------------


def test_small_layers_round_trip(tmp_path):
    # one layer of connections, and a layer of one unit, are valid
    masks = [np.array([[True], [False], [True]]), np.array([[True, False]])]
    path = tmp_path / "small.npz"
    export_masks(masks, path)
    loaded = load_masks(path)
    assert [m.shape for m in loaded] == [(3, 1), (1, 2)]
    for a, b in zip(loaded, masks):
        assert_array_equal(a, b)
    single = tmp_path / "single.npz"
    export_masks(masks[:1], single, layout="torch")
    assert_array_equal(load_masks(single)[0], masks[0])
    # the loaded info describes the file, without the format tag
    assert "format" not in load_masks(path).info
    assert load_masks(path).info["layer_sizes"] == [3, 1, 2]


def test_unreadable_file_messages_are_exact(archive, tmp_path):
    bad = _with_metadata(archive, tmp_path / "layout.npz", layout="columns")
    with pytest.raises(ValueError) as info:
        load_masks(bad)
    assert str(info.value) == (
        f"{bad} has an invalid layout 'columns' in its metadata "
        "('sklearn' or 'torch' expected)."
    )
    other = _with_metadata(archive, tmp_path / "other.npz", format="someone.else")
    with pytest.raises(ValueError) as info:
        load_masks(other)
    assert str(info.value) == (
        f"{other} is not a sklearn_sas.masks file (its metadata says "
        "format='someone.else')."
    )
    listed = _with_metadata(archive, tmp_path / "listed.npz", format=["x"])
    with pytest.raises(ValueError, match=r"format=\['x'\]\)\.$"):
        load_masks(listed)
    # a mask of the wrong shape or dtype is named with what was found
    contents = _contents(archive)
    contents["mask_1"] = contents["mask_1"].astype(np.int8)
    wrong = tmp_path / "wrong.npz"
    np.savez_compressed(wrong, **contents)
    with pytest.raises(ValueError, match=r"\(\(8, 8\), 'int8'\)"):
        load_masks(wrong)


def test_errors_name_an_open_file_by_its_name(tmp_path):
    path = tmp_path / "junk.npz"
    path.write_bytes(b"not an archive at all")
    with open(path, "rb") as file:
        with pytest.raises(ValueError) as info:
            load_masks(file)
    assert str(info.value).startswith(f"{path} is not a readable .npz archive")
    # an object without a name is named by its repr
    with pytest.raises(ValueError, match=r"^<_io\.BytesIO object at .* is not a readable"):
        load_masks(io.BytesIO(b"junk"))


def test_missing_folder_is_named_in_the_error(square, tmp_path):
    import errno

    target = tmp_path / "no" / "such" / "folder" / "masks.npz"
    with pytest.raises(FileNotFoundError) as info:
        export_masks(square, target, rule="map")
    assert info.value.errno == errno.ENOENT
    assert info.value.strerror
    assert info.value.filename == str(target.parent)


def test_network_archive_of_text_labels_loads_without_pickle(tmp_path):
    # labels given as an object array (a pandas column, say) become text
    # labels, which np.load reads without allow_pickle
    X = np.random.default_rng(0).normal(size=(60, 4))
    y = np.array(["cat", "dog", "owl"], dtype=object)[np.arange(60) % 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = SaSMLPClassifier((5,), max_iter=2, random_state=0).fit(X, y)
    path = tmp_path / "network.npz"
    export_network(clf, path)
    with np.load(path) as archive:
        classes = archive["classes"]
    assert classes.dtype.kind == "U"
    assert classes.tolist() == ["cat", "dog", "owl"]


def test_network_archive_of_sparse_layers_holds_them_dense(square, tmp_path):
    # at 99% layers are stored CSR in the PrunedNetwork; the archive
    # holds plain dense arrays, read without pickle
    path = tmp_path / "network.npz"
    network = export_network(square, path, rule="sparsity", sparsity=0.99)
    assert any(sp.issparse(w) for w in network.coefs_)
    with np.load(path) as archive:
        for k, w in enumerate(network.coefs_):
            assert isinstance(archive[f"coef_{k}"], np.ndarray)
            assert_array_equal(archive[f"coef_{k}"], w.toarray() if sp.issparse(w) else w)


def test_a_file_open_in_text_mode_is_refused_as_such(square, tmp_path):
    # issue 22, item 12: a valid file read in text mode was "truncated or
    # corrupted"
    path = tmp_path / "masks.npz"
    masks = export_masks(square, path, rule="map")
    for encoding in ("utf-8", "latin-1"):
        with open(path, encoding=encoding) as file:
            with pytest.raises(TypeError) as info:
                load_masks(file)
        assert str(info.value) == (
            f"{path} is open in text mode: a .npz archive is binary, open it "
            "with mode 'rb'."
        )
    with open(path, "rb") as file:
        assert all(np.array_equal(a, b) for a, b in zip(load_masks(file), masks))
    # and written in text mode: refused before anything is written
    text = tmp_path / "text.npz"
    with open(text, "w") as file:
        with pytest.raises(TypeError, match=r"is open in text mode: .* mode 'wb'\.$"):
            export_masks(masks, file)
        with pytest.raises(TypeError, match="text mode"):
            export_network(square, file, rule="map")
    assert text.read_bytes() == b""
    with pytest.raises(TypeError, match=r"^<_io\.StringIO object at .* text mode"):
        load_masks(io.StringIO("PK"))
