"""The documentation site of docs/.

- It builds with Sphinx warnings treated as errors, the gallery included
  (a subprocess, from a copy of docs/ in a temporary folder, so that the
  repository is left as it was); skipped without the docs extra.
- Its API reference (the autosummary entries of docs/api.rst) lists every
  public name: the ``__all__`` of each public module.
- The HTML representation of every public estimator links to the page the
  build makes for it.
"""

import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.base import BaseEstimator

from sklearn_sas._doc_link import DOC_URL

pytestmark = pytest.mark.artefact

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

PUBLIC_MODULES = [
    "sklearn_sas",
    "sklearn_sas.inspection",
    "sklearn_sas.compression",
    "sklearn_sas.metrics",
    "sklearn_sas.feature_selection",
    "sklearn_sas.datasets",
]

# what a build writes into the source folder (docs/Makefile: make clean)
BUILD_OUTPUTS = ("_build", "generated", "auto_examples", "sg_execution_times.rst")
# folders of the repository that docs/ refers to (figures, stored outputs)
REFERENCED = ("examples", "benchmarks")
# the limit of the whole build; on the 2-core development machine it takes
# about 30 s
BUILD_TIMEOUT = 600


def public_names(module_name):
    """The public names of a module: its ``__all__``, or, for a module
    without one, the public classes and functions it defines."""
    module = importlib.import_module(module_name)
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and (inspect.isclass(obj) or inspect.isfunction(obj))
        and obj.__module__ == module_name
    ]


def api_entries():
    """``(module, name, toctree)`` of every entry of the autosummary tables
    of docs/api.rst, ``module`` being the ``currentmodule`` above it."""
    entries, module, block, toctree = [], None, False, None
    for line in (DOCS / "api.rst").read_text(encoding="utf-8").splitlines():
        directive = re.match(r"\.\. ([\w-]+)::\s*(\S*)", line)
        if directive:
            block = directive.group(1) == "autosummary"
            toctree = None
            if directive.group(1) == "currentmodule":
                module = directive.group(2)
            continue
        if not block:
            continue
        if line and not line[0].isspace():
            block = False
        elif line.strip().startswith(":toctree:"):
            toctree = line.split(":toctree:")[1].strip()
        elif line.strip() and not line.strip().startswith(":"):
            entries.append((module, line.strip(), toctree))
    return entries


def api_page(module, name):
    """Path of the page autosummary generates for ``module.name``, relative
    to the root of the site."""
    toctrees = {toctree for m, n, toctree in api_entries() if (m, n) == (module, name)}
    assert len(toctrees) == 1, f"{module}.{name} is listed {len(toctrees)} times"
    (toctree,) = toctrees
    return f"{toctree.rstrip('/')}/{module}.{name}.html"


def documented_objects():
    """Each object of the API reference, by the ``module.name`` it is
    documented under."""
    return {
        f"{module}.{name}": getattr(importlib.import_module(module), name)
        for module, name, _ in api_entries()
    }


def public_estimators():
    """The public scikit-learn estimators of the package."""
    classes = {
        getattr(importlib.import_module(module), name)
        for module in PUBLIC_MODULES
        for name in public_names(module)
    }
    return sorted(
        (c for c in classes if inspect.isclass(c) and issubclass(c, BaseEstimator)),
        key=lambda c: c.__name__,
    )


# --------------------------------------------------- API reference (no Sphinx)


def test_api_reference_lists_every_public_name():
    entries = api_entries()
    assert entries, "no autosummary entry found in docs/api.rst"
    for module, name, toctree in entries:
        assert module in PUBLIC_MODULES, f"{module}.{name}: not a public module"
        assert name in public_names(module), (
            f"docs/api.rst lists {module}.{name}, which is not in the public "
            f"names of {module}"
        )
        assert toctree == "generated/", f"{module}.{name}: no page generated"

    documented = documented_objects()
    assert len(documented) == len(entries), "a name is listed twice"
    # an object importable from several modules is documented once
    assert len({id(obj) for obj in documented.values()}) == len(documented)
    missing = [
        f"{module}.{name}"
        for module in PUBLIC_MODULES
        for name in public_names(module)
        if not any(
            obj is getattr(importlib.import_module(module), name)
            for obj in documented.values()
        )
    ]
    assert not missing, f"public names missing from docs/api.rst: {missing}"


def test_public_modules_are_documented():
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    for module in PUBLIC_MODULES:
        assert f".. automodule:: {module}\n" in text


# --------------------------------------------- links of the HTML representation


ESTIMATORS = public_estimators()


@pytest.mark.parametrize("estimator_class", ESTIMATORS, ids=lambda c: c.__name__)
def test_html_repr_links_to_the_api_page(estimator_class):
    estimator = estimator_class()
    (entry,) = [
        key for key, obj in documented_objects().items() if obj is estimator_class
    ]
    module, name = entry.rsplit(".", 1)
    link = DOC_URL + api_page(module, name)
    assert estimator._get_doc_link() == link
    assert f'href="{link}"' in estimator._repr_html_()


def test_estimators_of_other_packages_get_no_link():
    class Subclass(ESTIMATORS[0]):
        pass

    Subclass.__module__ = "someone_elses_package.models"
    assert Subclass()._get_doc_link() == ""


# ------------------------------------------------------------ the Sphinx build


def _tree(folder):
    """Every path under ``folder``, with the size and modification time of
    the files."""
    return {
        str(path.relative_to(folder)): (
            path.stat().st_size if path.is_file() else None,
            path.stat().st_mtime_ns if path.is_file() else None,
        )
        for path in folder.rglob("*")
    }


@pytest.fixture(scope="module")
def docs_build(tmp_path_factory):
    """Build the site from a copy of docs/ (the gallery runs, autosummary and
    sphinx-gallery write into the copy) next to links to the folders it
    refers to; ``(completed process, html folder)``."""
    for module in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"):
        pytest.importorskip(
            module, reason='the docs extra builds the site: pip install -e ".[docs]"'
        )
    pytest.importorskip("matplotlib", reason="the gallery draws with matplotlib")

    tmp = tmp_path_factory.mktemp("docs_build")
    source = tmp / "source"
    ignore = shutil.ignore_patterns(*BUILD_OUTPUTS)
    shutil.copytree(DOCS, source / "docs", ignore=ignore)
    for name in REFERENCED:
        (source / name).symlink_to(ROOT / name, target_is_directory=True)
    html = tmp / "html"

    env = dict(os.environ, MPLBACKEND="agg")
    before = _tree(DOCS)
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html",
         str(source / "docs"), str(html)],
        capture_output=True,
        text=True,
        env=env,
        timeout=BUILD_TIMEOUT,
    )
    assert _tree(DOCS) == before, "the build changed the repository's docs/ folder"
    return build, html


def test_docs_build_without_warnings(docs_build):
    build, html = docs_build
    report = "\n".join([build.stdout[-3000:], build.stderr[-6000:]])
    assert build.returncode == 0, f"sphinx-build -W failed:\n{report}"
    assert "WARNING" not in build.stderr, report
    assert (html / "index.html").is_file()


def test_every_api_entry_has_a_page(docs_build):
    _, html = docs_build
    missing = [
        api_page(module, name)
        for module, name, _ in api_entries()
        if not (html / api_page(module, name)).is_file()
    ]
    assert not missing, f"pages not built: {missing}"


@pytest.mark.parametrize("estimator_class", ESTIMATORS, ids=lambda c: c.__name__)
def test_doc_link_points_at_a_built_page(docs_build, estimator_class):
    _, html = docs_build
    link = estimator_class()._get_doc_link()
    assert link.startswith(DOC_URL)
    page = html / link[len(DOC_URL):]
    assert page.is_file(), f"{link} points at no page of the build"
    assert f'id="{link.rsplit("/", 1)[1][: -len(".html")]}"' in page.read_text(
        encoding="utf-8"
    ), f"{page.name} does not document {estimator_class.__name__}"


def test_gallery_examples_ran(docs_build):
    _, html = docs_build
    examples = sorted(p.stem for p in (DOCS / "gallery").glob("plot_*.py"))
    assert examples
    for example in examples:
        page = (html / "auto_examples" / f"{example}.html").read_text(encoding="utf-8")
        # every example draws at least one figure
        assert f"sphx_glr_{example}_001.png" in page, f"{example} shows no figure"
        assert (html / "_images" / f"sphx_glr_{example}_001.png").is_file()
