"""Matplotlib Displays of a fitted spike-and-slab network (Li & Huang, Figs. 2-4).

One Display per module, as in scikit-learn's ``sklearn.metrics._plot``. Each
follows scikit-learn's visualization API: the constructor only stores already
computed data, ``plot`` draws it and ``from_estimator`` computes the data from
a fitted :class:`~sklearn_sas.SaSMLPClassifier` and plots it. matplotlib is
imported inside the plotting methods only, so it stays an optional dependency
of the package.
"""
