"""Links from the estimators' HTML representation to their API pages.

scikit-learn's HTML representation of an estimator (``_repr_html_``, shown
by Jupyter) links the estimator's name to its documentation page through
three attributes of ``sklearn.base.BaseEstimator``: ``_doc_link_module``,
``_doc_link_template`` and ``_doc_link_url_param_generator``. The mixin below
sets them for this package, so that the link points at the page the Sphinx
build of ``docs/`` makes for the class (``generated/<module>.<name>.html``,
the module being the public one whose ``__all__`` lists the class).
"""

import importlib
import itertools

# the address where the documentation built from docs/ is to be published
DOC_URL = "https://sklearn-sas.readthedocs.io/en/latest/"

# the API pages autosummary generates (docs/api.rst, ``:toctree: generated/``)
API_PAGE = "generated/{estimator_module}.{estimator_name}.html"


def public_module(cls):
    """The public module documenting ``cls``: the shortest public prefix of
    the module that defines it whose ``__all__`` lists it (the package
    before its subpackages); the defining module up to its first private
    part when none does (scikit-learn's rule)."""
    parts = list(
        itertools.takewhile(
            lambda part: not part.startswith("_"), cls.__module__.split(".")
        )
    )
    for stop in range(1, len(parts) + 1):
        name = ".".join(parts[:stop])
        module = importlib.import_module(name)
        listed = cls.__name__ in getattr(module, "__all__", ())
        if listed and getattr(module, cls.__name__, None) is cls:
            return name
    return ".".join(parts)


class DocLinkMixin:
    """Link the HTML representation of an estimator to its API page.

    To be placed before ``BaseEstimator`` (and scikit-learn's mixins) among
    the bases of a public estimator of this package.
    """

    _doc_link_module = "sklearn_sas"
    _doc_link_template = DOC_URL + API_PAGE

    def _doc_link_url_param_generator(self):
        cls = type(self)
        return {"estimator_module": public_module(cls), "estimator_name": cls.__name__}
