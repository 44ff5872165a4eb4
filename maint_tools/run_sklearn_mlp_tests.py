"""Run scikit-learn's own MLP tests against ``SaSMLPClassifier`` and
``SaSMLPRegressor``.

Copies ``sklearn/neural_network/tests/test_mlp.py`` from the installed
scikit-learn, imports ``SaSMLPClassifier`` under the name ``MLPClassifier``
and ``SaSMLPRegressor`` under the name ``MLPRegressor``, runs pytest on the
copy and prints one line per applicable test, pass or fail, with the totals
of the classifier tests and of the regressor tests (``MLPRegressor`` in
their name or parameters, or a test that uses only ``MLPRegressor``).

Left out: the tests that need ``solver="lbfgs"``. gBP trains by stochastic
minibatch steps (the mean-field noise is drawn afresh every minibatch), so
the spike-and-slab networks have no full-batch quasi-Newton solver.

Usage::

    python maint_tools/run_sklearn_mlp_tests.py [--output FILE]

The stored output is ``maint_tools/output/run_sklearn_mlp_tests.txt``.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import sklearn

ROOT = Path(__file__).resolve().parent.parent

IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"
SUBSTITUTE = (
    "from sklearn_sas import SaSMLPClassifier as MLPClassifier\n"
    "from sklearn_sas import SaSMLPRegressor as MLPRegressor\n"
)

# tests that exercise MLPRegressor only
REGRESSOR_TESTS = {
    "test_lbfgs_regression",
    "test_lbfgs_regression_maxfun",
    "test_multioutput_regression",
    "test_partial_fit_regression",
    "test_nonfinite_params",
    "test_shuffle",
    "test_mlp_regressor_dtypes_casting",
    "test_mlp_loading_from_joblib_partial_fit",
    "test_mlp_diverging_loss",
    "test_mlp_sample_weight_with_early_stopping",
    "test_mlp_vs_poisson_glm_equivalent",
    "test_minimum_input_sample_size",
}

# tests whose every check needs solver="lbfgs"
LBFGS_TESTS = {
    "test_lbfgs_regression",
    "test_lbfgs_regression_maxfun",
    "test_multioutput_regression",
    "test_mlp_vs_poisson_glm_equivalent",
    "test_gradient",
    "test_lbfgs_classification",
    "test_lbfgs_classification_maxfun",
    "test_predict_proba_multilabel",
    "test_sparse_matrices",
    "test_warm_start",
}


def left_out(test_id):
    """Why a collected test is not run, or None when it applies."""
    name, _, params = test_id.partition("[")
    if name in LBFGS_TESTS or "lbfgs" in params:
        return "lbfgs"
    return None


def kind(test_id):
    """Whether a test checks the classifier or the regressor."""
    name, _, params = test_id.partition("[")
    if name in REGRESSOR_TESTS or "MLPRegressor" in params:
        return "regressor"
    return "classifier"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", help="also write the table to this file")
    args = parser.parse_args(argv)
    source = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    text = source.read_text()
    if IMPORT not in text:
        sys.exit(f"{source} no longer imports MLPClassifier as expected")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), os.environ.get("PYTHONPATH", "")]
    ))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        test_file = Path(tmp) / "test_mlp_sas.py"
        test_file.write_text(text.replace(IMPORT, SUBSTITUTE))
        collected = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q",
             "-p", "no:cacheprovider", str(test_file)],
            capture_output=True, text=True, env=env, cwd=tmp,
        ).stdout  # fmt: skip
        ids = [
            line.split("::", 1)[1]
            for line in collected.splitlines()
            if line.startswith(str(test_file)) or "::" in line
        ]
        selected = [i for i in ids if left_out(i) is None]
        report = Path(tmp) / "report.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             f"--junitxml={report}", *[f"{test_file}::{i}" for i in selected]],
            capture_output=True, text=True, env=env, cwd=tmp,
        )  # fmt: skip
        results = {}
        for case in ET.parse(report).getroot().iter("testcase"):
            failure = case.find("failure")
            if failure is None:
                failure = case.find("error")
            if failure is None:
                results[case.get("name")] = ("pass", "")
            else:
                message = (failure.get("message") or "").splitlines()
                results[case.get("name")] = ("FAIL", message[0][:90] if message else "")
    lines = [
        f"scikit-learn {sklearn.__version__}: sklearn/neural_network/tests/"
        "test_mlp.py with SaSMLPClassifier as MLPClassifier and SaSMLPRegressor "
        "as MLPRegressor",
        f"collected {len(ids)}; left out {sum(left_out(i) == 'lbfgs' for i in ids)} "
        "lbfgs-only tests",
        "",
        "| test | estimator | result | first line of the failure |",
        "|---|---|---|---|",
    ]
    for test_id in selected:
        outcome, message = results.get(test_id, ("not run", ""))
        lines.append(f"| {test_id} | {kind(test_id)} | {outcome} | {message} |")
    lines.append("")
    for what in ("classifier", "regressor"):
        tests = [i for i in selected if kind(i) == what]
        n_pass = sum(results.get(i, ("",))[0] == "pass" for i in tests)
        lines.append(f"passed {n_pass} of {len(tests)} applicable {what} tests")
    table = "\n".join(lines)
    print(table)
    if args.output:
        Path(args.output).write_text(table + "\n")


if __name__ == "__main__":
    main()
