"""Score and survivors of the last mutation-testing run.

Run after ``mutmut run --max-children 2`` (configured in ``pyproject.toml``,
``[tool.mutmut]``: the modules mutated and the test files run), from the
repository root::

    python maint_tools/mutation_report.py --runtime "<minutes of the run>" \\
        > maint_tools/output/mutation.txt

It prints, per module, how many mutants the tests killed (a failing test,
or a run past mutmut's timeout: the mutant made the tests hang), how many
survived and how many no selected test reached, the score ``(killed +
timeout) / mutants``, and every surviving mutant with its diff and, when it
is listed in :data:`EQUIVALENT`, the reason it is equivalent to the original
code (no test can tell them apart). A survivor that is not listed is a gap in
the tests.
"""

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict

# Surviving mutants that behave exactly as the original code, and why. Names
# are mutmut's (module, function, number), valid for the code they were
# recorded on; a change to the function renumbers them.
_SAME_VALUES_NEW_ARRAY = (
    "writes the result into a new array instead of reusing a buffer: the "
    "same values, only more memory"
)
_NEGATIVE_RESHAPE = (
    "NumPy reads any negative size in reshape as the one unknown dimension, "
    "as it reads -1"
)
_DETERMINISTIC = (
    "only changes the value at pi = 0 or pi = 1 of a point mass, which the "
    "deterministic case (entropy 0) overrides"
)
_MASK_DTYPE = (
    "the masks hold 0 and 1 and the frozen values are the buffer's own: in "
    "another float or boolean type they give the same products and sums"
)
_KIND_LETTERS = (
    "a dtype kind is one lowercase letter: adding 'X's to the string of "
    "accepted kinds accepts the same dtypes"
)
_PRECISION_ONLY = (
    "accumulates in another floating type: only the rounding of an "
    "intermediate result changes, not what is computed"
)
_ROW_MAX_BRANCH = (
    "both branches return each row's maximum; the column count only picks "
    "the faster one"
)
_THRESHOLD_TIE = (
    "differs only when the carried product of 1 / sqrt(N_l) factors equals "
    "1e-6 exactly, where applying it now or later computes the same values "
    "(up to rounding)"
)
_ALREADY_BOOL = (
    "every rule already gives boolean arrays (comparisons, the negated UIP "
    "mask of credit_masks, the keep-masks of _keep_best)"
)
_CURVE_RULE = (
    "inside sparsity_curve the nested parameter checks are skipped "
    "(prefer_skip_nested_validation), and pruning_masks treats every rule "
    "other than uip, map and threshold as 'sparsity'; the rule is not in "
    "the returned Bunch"
)
_PYTHON_FLOATS = (
    "the accuracies and compression ratios are Python floats, which np.array "
    "stores as float64 without being told"
)

EQUIVALENT = {
    # the gBP core, recorded on the code of this change
    "sklearn_sas._gbp.x__row_max__mutmut_2": _ROW_MAX_BRANCH,
    "sklearn_sas._gbp.x__row_max__mutmut_3": _ROW_MAX_BRANCH,
    "sklearn_sas._gbp.x__row_max__mutmut_14": (
        "compares the first column with itself once more: the same maximum"
    ),
    "sklearn_sas._gbp.x_layer_forward__mutmut_28": (
        "takes the branch for units with R == 0 when none has it: that branch "
        "computes the same gain"
    ),
    "sklearn_sas._gbp.x_layer_forward__mutmut_38": (
        "the value written where R == 0 only divides the noise into an entry "
        "of gain that the next line sets to 0"
    ),
    "sklearn_sas._gbp.x_layer_forward__mutmut_39": (
        "the value written where R == 0 only divides the noise into an entry "
        "of gain that the next line sets to 0"
    ),
    "sklearn_sas._gbp.x_loss_grad__mutmut_101": _THRESHOLD_TIE,
    "sklearn_sas._gbp.x_loss_grad__mutmut_190": _THRESHOLD_TIE,
    "sklearn_sas._gbp.x_loss_grad__mutmut_25": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_loss_grad__mutmut_28": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_loss_grad__mutmut_52": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_loss_grad__mutmut_55": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_loss_grad__mutmut_110": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_loss_grad__mutmut_113": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_loss_grad__mutmut_203": (
        "sas_param_grads allocates its scratch array when given none: the "
        "same values, only more memory"
    ),
    "sklearn_sas._gbp.x_loss_grad__mutmut_212": (
        "sas_param_grads allocates its scratch array when given none: the "
        "same values, only more memory"
    ),
    "sklearn_sas._gbp.x_loss_grad__mutmut_32": (
        "X_sq is read only by a layer with variances, which plain backprop "
        "has not"
    ),
    "sklearn_sas._gbp.x_loss_grad__mutmut_94": (
        "casting a boolean comparison into a float buffer is a safe cast, "
        "which the default casting rule accepts too"
    ),
    "sklearn_sas._losses.x_softmax_cross_entropy__mutmut_14": _PRECISION_ONLY,
    "sklearn_sas._losses.x_softmax_cross_entropy__mutmut_16": _PRECISION_ONLY,
    "sklearn_sas._losses.x_softmax_cross_entropy__mutmut_34": _PRECISION_ONLY,
    "sklearn_sas._losses.x_softmax_cross_entropy__mutmut_37": _PRECISION_ONLY,
    "sklearn_sas._gbp.xǁWorkspaceǁ__init____mutmut_71": (
        "one more scratch row that nothing reads: only more memory"
    ),
    "sklearn_sas._gbp.xǁWorkspaceǁ__init____mutmut_85": (
        "the scratch view is cut to the first 2 rows wherever it is used"
    ),
    "sklearn_sas._gbp.xǁWorkspaceǁ__init____mutmut_87": _NEGATIVE_RESHAPE,
    "sklearn_sas._gbp.x_forward__mutmut_31": (
        "np.clip with an upper bound of None or of inf: no upper bound either way"
    ),
    # compression, fine-tuning and the masked optimizer
    "sklearn_sas._optimizers.xǁMaskedOptimizerǁ__init____mutmut_2": _MASK_DTYPE,
    "sklearn_sas._optimizers.xǁMaskedOptimizerǁ__init____mutmut_6": _MASK_DTYPE,
    "sklearn_sas._optimizers.xǁMaskedOptimizerǁ__init____mutmut_8": _MASK_DTYPE,
    "sklearn_sas._optimizers.xǁMaskedOptimizerǁ__init____mutmut_10": _MASK_DTYPE,
    "sklearn_sas.compression._archive.x__write_archive__mutmut_58": (
        "the cleanup after a failed write: the temporary file exists then "
        "(created before the try, moved only by the last statement), so "
        "FileNotFoundError, the only exception the mutant mishandles, is not "
        "raised"
    ),
    "sklearn_sas.compression._sparsity_curve.x__check_sparsities__mutmut_11": (
        _KIND_LETTERS
    ),
    "sklearn_sas.compression._fine_tune.x__sparsity_steps__mutmut_35": _KIND_LETTERS,
    "sklearn_sas.compression._sparsity_curve.x__check_sparsities__mutmut_25": (
        "astype(None) converts to float64, as astype(np.float64) does"
    ),
    "sklearn_sas.compression._pruned.x__drop_dead_units__mutmut_28": (
        "astype(None) converts to float64, as astype(np.float64) does"
    ),
    "sklearn_sas.compression._pruned.xǁPrunedNetworkǁ_from_masks__mutmut_18": (
        _PRECISION_ONLY
    ),
    "sklearn_sas.compression._pruned.xǁPrunedNetworkǁ_from_masks__mutmut_20": (
        _PRECISION_ONLY
    ),
    "sklearn_sas.compression._pruned.x__drop_dead_units__mutmut_8": (
        "None is false, as False is: the loop ends in the same pass"
    ),
    "sklearn_sas._sas.x_sample_sas__mutmut_6": (
        "differs only when a uniform draw equals pi exactly (for float32, "
        "probability about 6e-8 per connection and draw)"
    ),
    # in-place arithmetic written with out= (a buffer reused, not the values)
    "sklearn_sas._optimizers.xǁSGDOptimizerǁupdate_params__mutmut_4": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._optimizers.xǁSGDOptimizerǁupdate_params__mutmut_7": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._optimizers.xǁSGDOptimizerǁupdate_params__mutmut_18": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._optimizers.xǁSGDOptimizerǁupdate_params__mutmut_21": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_forward_mc__mutmut_76": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x_forward_mc__mutmut_80": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x__take_rows__mutmut_4": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x__take_rows__mutmut_9": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._gbp.x__take_rows__mutmut_5": (
        "mode only matters for indices out of range; the rows taken are a "
        "permutation of the row numbers"
    ),
    "sklearn_sas._gbp.x__take_rows__mutmut_10": (
        "mode only matters for indices out of range; the rows taken are a "
        "permutation of the row numbers"
    ),
    "sklearn_sas._gbp.xǁParamVectorǁpack__mutmut_10": (
        "astype(copy=None) copies exactly when copy=False would: when the dtype "
        "differs"
    ),
    "sklearn_sas._gbp.xǁParamVectorǁpack__mutmut_12": (
        "astype copies the concatenated buffer, a new array nobody else holds: "
        "the same values"
    ),
    "sklearn_sas._gbp.xǁParamVectorǁpack__mutmut_15": (
        "astype copies the concatenated buffer, a new array nobody else holds: "
        "the same values"
    ),
    "sklearn_sas._gbp.xǁParamVectorǁpack__mutmut_18": (
        "ParamVector ignores dtype when it is given the flat buffer"
    ),
    "sklearn_sas._gbp.xǁNormalNoiseǁ__init____mutmut_4": (
        "the scratch buffer is reallocated at the first fill whatever its "
        "initial size below the half of the output"
    ),
    "sklearn_sas._gbp.xǁNormalNoiseǁfill__mutmut_4": _NEGATIVE_RESHAPE,
    "sklearn_sas._gbp.xǁNormalNoiseǁfill__mutmut_9": (
        "reallocates the scratch buffer when it is exactly large enough: the "
        "same values"
    ),
    "sklearn_sas._gbp.x_forward_mc__mutmut_52": _NEGATIVE_RESHAPE,
    "sklearn_sas._gbp.x_forward_mc__mutmut_64": _NEGATIVE_RESHAPE,
    "sklearn_sas._gbp.x_forward_mc__mutmut_84": _NEGATIVE_RESHAPE,
    "sklearn_sas._gbp.x_forward_mc__mutmut_75": "np.clip with no upper bound is the same ReLU",
    "sklearn_sas._sas.x_project_sas__mutmut_13": "np.clip with no upper bound is the same projection",
    "sklearn_sas._sas.x__entropy__mutmut_49": _DETERMINISTIC,
    "sklearn_sas._sas.x__entropy__mutmut_52": _DETERMINISTIC,
    "sklearn_sas._sas.x__entropy__mutmut_59": _DETERMINISTIC,
    "sklearn_sas._sas.x__entropy__mutmut_60": _DETERMINISTIC,
    "sklearn_sas._sas.x__entropy__mutmut_64": _DETERMINISTIC,
    "sklearn_sas._sas.x__entropy__mutmut_80": (
        "at pi = 0 the binary entropy of a point mass is 0 too: deterministic "
        "or not, the entropy is 0"
    ),
    "sklearn_sas.compression._archive.x__read_archive__mutmut_21": (
        "allow_pickle=None is falsy, as False: pickles stay refused"
    ),
    "sklearn_sas.compression._archive.x__read_archive__mutmut_23": (
        "np.load's default is allow_pickle=False"
    ),
    # the temporary file's name and flags (POSIX: O_BINARY is absent, 0)
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_5": (
        "getattr(None, 'O_BINARY', 0) is 0, as os.O_BINARY is absent on POSIX"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_11": (
        "os has no such attribute either way on POSIX: 0"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_12": (
        "os has no such attribute either way on POSIX: 0"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_13": (
        "on Linux the flag 1 is O_WRONLY, already set"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_2": (
        "drops O_EXCL: differs only when a random 8-hex-digit name already "
        "exists in the folder, which no test can arrange without patching "
        "os.urandom"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_15": (
        "101 instead of 100 attempts at a free random name"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_21": (
        "41 instead of 40 characters of the name in the temporary name"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_23": (
        "10 instead of 8 random hex digits in the temporary name"
    ),
    "sklearn_sas.compression._archive.x__create_temporary__mutmut_31": (
        "only reached after 100 random names in a row were taken"
    ),
    # scratch buffers of the gradient (out=): the same values
    "sklearn_sas._sas.x_sas_param_grads__mutmut_2": (
        "with tmp=None the products allocate their own result: the same values"
    ),
    "sklearn_sas._sas.x_sas_param_grads__mutmut_3": (
        "with tmp=None the products allocate their own result: the same values"
    ),
    "sklearn_sas._sas.x_sas_param_grads__mutmut_8": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._sas.x_sas_param_grads__mutmut_11": _SAME_VALUES_NEW_ARRAY,
    "sklearn_sas._sas.x_sas_param_grads__mutmut_31": (
        "grad_pi is only scratch space here and is written in full afterwards"
    ),
    "sklearn_sas._sas.x_sas_param_grads__mutmut_34": (
        "grad_pi is only scratch space here and is written in full afterwards"
    ),
    "sklearn_sas._gbp.xǁNormalNoiseǁfill__mutmut_2": (
        "the noise buffers are 1-D, and reshape(None) keeps a 1-D array as it is"
    ),
    # the keep-mask is converted to bool by pruning_masks
    "sklearn_sas.compression._masks.x__keep_best__mutmut_5": (
        "a float mask of 1.0 and 0.0, made bool by pruning_masks"
    ),
    "sklearn_sas.compression._masks.x__keep_best__mutmut_7": (
        "a float mask of 1.0 and 0.0, made bool by pruning_masks"
    ),
    "sklearn_sas.compression._masks.x__keep_best__mutmut_8": (
        "None assigned into a bool array is False"
    ),
    "sklearn_sas.compression._masks.x__keep_best__mutmut_14": (
        "NumPy reads the sort kind case-insensitively"
    ),
    "sklearn_sas.compression._masks.x__pruning_masks__mutmut_91": _ALREADY_BOOL,
    "sklearn_sas.compression._masks.x__pruning_masks__mutmut_93": _ALREADY_BOOL,
    # sparsity_curve
    "sklearn_sas.compression._sparsity_curve.x__sparsity_curve__mutmut_36": (
        _CURVE_RULE
    ),
    "sklearn_sas.compression._sparsity_curve.x__sparsity_curve__mutmut_37": (
        _CURVE_RULE
    ),
    "sklearn_sas.compression._sparsity_curve.x__sparsity_curve__mutmut_95": (
        _PYTHON_FLOATS
    ),
    "sklearn_sas.compression._sparsity_curve.x__sparsity_curve__mutmut_97": (
        _PYTHON_FLOATS
    ),
    "sklearn_sas.compression._sparsity_curve.x__sparsity_curve__mutmut_99": (
        _PYTHON_FLOATS
    ),
    "sklearn_sas.compression._sparsity_curve.x__sparsity_curve__mutmut_101": (
        _PYTHON_FLOATS
    ),
    "sklearn_sas.compression._pruned.xǁPrunedNetworkǁ_from_masks__mutmut_17": (
        "the product is made in float64 and cast back to the model's dtype: "
        "it agrees to the last bit of float32"
    ),
    "sklearn_sas.compression._pruned.xǁPrunedNetworkǁ_from_masks__mutmut_19": (
        "the product is made in float64 and cast back to the model's dtype: "
        "it agrees to the last bit of float32"
    ),
}

KILLED = ("killed", "timeout")


def _results():
    """``{mutant name: status}`` of every mutant of the last run."""
    done = subprocess.run(
        ["mutmut", "results", "--all", "true"], capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    status = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match:
            status[match[1]] = match[2].strip()
    return status


def _module(name):
    """``sklearn_sas._gbp`` of ``sklearn_sas._gbp.x_forward__mutmut_3``."""
    return name.rsplit(".", 1)[0]


def _diff(name):
    done = subprocess.run(["mutmut", "show", name], capture_output=True, text=True)
    lines = done.stdout.splitlines()
    # the header line and the file names repeat what the name says
    return "\n".join(
        line for line in lines[1:] if not line.startswith(("---", "+++"))
    ).strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runtime", default="not given", help="duration of the run")
    args = parser.parse_args(argv)
    status = _results()
    if not status:
        sys.exit("no mutation results: run `mutmut run --max-children 2` first")
    import mutmut

    print("Mutation testing of sklearn_sas")
    print(f"  mutmut {mutmut.__version__}, `mutmut run --max-children 2`, "
          f"runtime {args.runtime}")  # fmt: skip
    print("  score = (killed + timeout) / mutants; equivalent survivors are "
          "listed with their reason\n")
    by_module = defaultdict(Counter)
    for name, state in status.items():
        by_module[_module(name)][state] += 1
    columns = ("killed", "timeout", "survived", "no tests", "not checked", "other")
    print(f"{'module':<36}{'mutants':>8}" + "".join(f"{c:>12}" for c in columns)
          + f"{'score':>8}")  # fmt: skip
    total = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        _row(module, counts, columns)
    _row("all", total, columns)
    unchecked = sum(1 for state in status.values() if state == "not checked")
    checked = len(status) - unchecked
    killed = sum(1 for state in status.values() if state in KILLED)
    survivors = sorted(
        n for n, s in status.items() if s not in KILLED and s != "not checked"
    )
    unexplained = [n for n in survivors if n not in EQUIVALENT]
    equivalent = len(survivors) - len(unexplained)
    if unchecked:
        print(f"\n{unchecked} mutants not checked yet (an interrupted run: "
              "`mutmut run` resumes it); over the "
              f"{checked} checked: {killed / checked:.1%} killed, "
              f"{(killed + equivalent) / checked:.1%} killed or equivalent")  # fmt: skip
    print(f"\n{len(survivors)} checked mutants not killed: "
          f"{len(survivors) - len(unexplained)} equivalent (reason below), "
          f"{len(unexplained)} not accounted for\n")  # fmt: skip
    for name in survivors:
        print(f"== {name}: {status[name]}")
        print(f"   equivalent: {EQUIVALENT.get(name, 'NO: a gap in the tests')}")
        print(_diff(name))
        print()


def _row(module, counts, columns):
    n = sum(counts.values())
    other = n - sum(counts[c] for c in columns[:-1])
    cells = [counts[c] for c in columns[:-1]] + [other]
    score = sum(counts[c] for c in KILLED) / n if n else float("nan")
    print(f"{module:<36}{n:>8}" + "".join(f"{c:>12}" for c in cells) + f"{score:>8.1%}")


if __name__ == "__main__":
    main()
