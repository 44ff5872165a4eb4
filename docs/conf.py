"""Sphinx configuration of the sklearn_sas documentation.

Build with ``make -C docs html`` (``pip install -e ".[docs]"`` first). The
build runs offline: it fetches no inventory (no intersphinx), so references
to scikit-learn, NumPy or Python render as plain text. Formulas are typeset
by MathJax, which the reader's browser loads when it opens a page.
"""

import os
import re
import time

import scipy.linalg  # noqa: F401  (loads SciPy's BLAS before the limit below)
from docutils import nodes
from threadpoolctl import threadpool_limits

import sklearn_sas

# The gallery trains small networks on the digits. With two BLAS threads on
# a 2-core machine busy with other work, the threads wait for each other:
# the compression example took 19 s with two threads and 5 s with one. One
# thread for the whole build (the gallery runs in this process).
threadpool_limits(limits=1, user_api="blas")

# -- Project -----------------------------------------------------------------

project = "sklearn_sas"
author = "The sklearn_sas developers"
copyright = f"{time.strftime('%Y')}, {author}"
release = sklearn_sas.__version__
version = release

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "gallery/GALLERY_HEADER.rst"]
root_doc = "index"
default_role = "literal"

# -- autodoc, autosummary, numpydoc ------------------------------------------

autosummary_generate = True
# members inherited from scikit-learn (get_params, ...) are listed, those of
# list (PruningMasks is one) are not
autodoc_default_options = {"members": True, "inherited-members": "list"}
autodoc_typehints = "none"
# numpydoc lists no class members: the class template lets autodoc do it
numpydoc_show_class_members = False

# -- sphinx-gallery ----------------------------------------------------------

sphinx_gallery_conf = {
    # short examples on the digits, run at every build (docs/gallery); the
    # long MNIST reproductions of examples/ are shown, not run
    # (reproductions.rst)
    "examples_dirs": ["gallery"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "abort_on_example_error": True,
    "doc_module": ("sklearn_sas",),
    "backreferences_dir": os.path.join("generated", "backreferences"),
    "reference_url": {"sklearn_sas": None},
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 0,
    "download_all_examples": False,
}

# -- HTML --------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_sas {release}"
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"index": [], "whats_new": [], "install": []}


# -- plain-text references to pages of other projects ------------------------
#
# The docstrings inherited from scikit-learn (get_params, set_output, ...)
# refer to its user guide and glossary (``:ref:``, ``:term:``). Without an
# inventory of scikit-learn's site these targets do not exist here: on the
# generated API pages they are rendered as their plain text. Everywhere
# else, a reference that does not resolve still fails the build.


def _plain_text_outside_reference(app, env, node, contnode):
    if node.get("refdomain") != "std" or node.get("reftype") not in {"ref", "term"}:
        return None
    if not node.get("refdoc", "").startswith("generated/"):
        return None
    return nodes.inline(node.astext(), node.astext())


# -- shapes such as ``(n_features_in_,)`` in parameter types ------------------
#
# In reStructuredText a bare word ending in "_" is a link to a target of
# that name: the type ``ndarray of shape (n_features_in_,)`` is an error
# ("Unknown target name"). scikit-learn's docstrings quote such names
# (`n_features_in_`); for the types of this package that do not, the name is
# quoted here, before numpydoc reads the docstring.

_TYPE_LINE = re.compile(r"^(\s*[\w*][\w, *]* : )(.*)$")
_BARE_NAME = re.compile(r"(?<![\w`])([A-Za-z]\w*_)(?=[,)\s]|$)")


def _quote_names_in_types(app, what, name, obj, options, lines):
    for i, line in enumerate(lines):
        match = _TYPE_LINE.match(line)
        if match and "`" not in match.group(2):
            lines[i] = match.group(1) + _BARE_NAME.sub(r"`\1`", match.group(2))


def setup(app):
    app.connect("missing-reference", _plain_text_outside_reference)
    # before numpydoc (priority 500) turns the docstring into reST
    app.connect("autodoc-process-docstring", _quote_names_in_types, priority=400)
