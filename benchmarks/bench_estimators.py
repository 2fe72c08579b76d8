"""Benchmark the skxrd networks: wrapper overhead, on-the-fly augmentation, inference.

Three measurements, each against a baseline measured in the same run:

1. ``overhead`` -- seconds per training epoch of the paper's dense network
   through `XRDDenseClassifier.fit` versus the same keras model (same
   architecture, optimizer, loss, batch size) fitted directly with
   ``model.fit`` on the same arrays.  Both use categorical cross-entropy, so
   the difference is the wrapper (data validation, seeded batching); a third
   row gives the paper's alternating cost through skxrd.
2. ``augment`` -- seconds per epoch with ``augmenter=XRDAugmenter()`` (fresh
   noise and backgrounds every epoch, prepared in a background thread) versus
   fitting on arrays augmented once beforehand.
3. ``inference`` -- ``predict_proba`` of a 10-member ensemble of the paper's
   dense network (230 outputs, about 50 M weights each) on one 8500-point
   pattern and on 1,000 patterns, after a joblib round trip (as a user loads a
   trained model).

Per-epoch times come from a keras callback and skip each fit's first epoch
(graph tracing); medians over all measured epochs and repeats are reported,
as wall-clock seconds and as CPU seconds of the process (all threads).  On a
shared machine the wall-clock figures move with other users' load (printed
with the results); CPU seconds measure the work and are the steadier basis
for the ratios.

Run::

    python benchmarks/bench_estimators.py --json bench_estimators.json
    python benchmarks/bench_estimators.py --only inference --repeats 5
    python benchmarks/bench_estimators.py --quick   # small sizes, a smoke test
"""

import argparse
import gc
import json
import os
import tempfile
import time

import numpy as np


def _epoch_timer():
    import keras

    class EpochTimer(keras.callbacks.Callback):
        """Wall-clock and process CPU seconds of every epoch."""

        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = (time.perf_counter(), time.process_time())

        def on_epoch_end(self, epoch, logs=None):
            wall, cpu = self._start
            self.seconds.append((time.perf_counter() - wall, time.process_time() - cpu))

    return EpochTimer()


def _patterns(n_patterns, n_points, n_classes, seed):
    """Max-normalized patterns of a few random Gaussian peaks, and labels."""
    rng = np.random.default_rng(seed)
    grid = np.arange(n_points, dtype=np.float32)
    X = np.zeros((n_patterns, n_points), dtype=np.float32)
    for i in range(n_patterns):
        centres = rng.uniform(0, n_points, size=12)
        heights = rng.uniform(0.05, 1.0, size=12)
        for centre, height in zip(centres, heights, strict=True):
            window = slice(max(int(centre) - 30, 0), min(int(centre) + 30, n_points))
            X[i, window] += height * np.exp(-0.5 * ((grid[window] - centre) / 4.0) ** 2)
    X /= X.max(axis=1, keepdims=True)
    y = np.arange(n_patterns) % n_classes + 1
    return X, y


def _dense(args, **params):
    from skxrd.neural_network import XRDDenseClassifier

    settings = dict(
        hidden_layer_sizes=args.hidden,
        dropout=args.dropout[: len(args.hidden)],
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=0,
    )
    settings.update(params)
    return XRDDenseClassifier(**settings)


def _skxrd_epochs(args, X, y, **params):
    timer = _epoch_timer()
    _dense(args, callbacks=[timer], **params).fit(X, y)
    gc.collect()
    return timer.seconds[1:]


def _keras_epochs(args, X, y):
    """The same network and optimizer, compiled and fitted with plain keras."""
    import keras

    # initialize() builds and compiles the network without training it; the
    # keras model is then fitted directly, outside skxrd.
    model = _dense(args, loss="categorical_crossentropy").initialize(X, y).model_
    Y = keras.utils.to_categorical(np.searchsorted(np.unique(y), y), len(np.unique(y)))
    timer = _epoch_timer()
    model.fit(
        X,
        Y,
        batch_size=args.batch_size,
        epochs=args.epochs,
        shuffle=True,
        callbacks=[timer],
        verbose=0,
    )
    del model
    gc.collect()
    return timer.seconds[1:]


def bench_overhead(args):
    X, y = _patterns(args.n_patterns, args.n_points, args.n_classes, seed=0)
    rows = {
        "keras model.fit": [],
        "skxrd fit (categorical)": [],
        "skxrd fit (alternating)": [],
    }
    for _ in range(args.repeats):
        rows["keras model.fit"] += _keras_epochs(args, X, y)
        rows["skxrd fit (categorical)"] += _skxrd_epochs(
            args, X, y, loss="categorical_crossentropy"
        )
        rows["skxrd fit (alternating)"] += _skxrd_epochs(args, X, y)
    return _table("seconds per epoch", rows, baseline="keras model.fit")


def bench_augment(args):
    from skxrd.augmentation import XRDAugmenter

    X, y = _patterns(args.n_patterns, args.n_points, args.n_classes, seed=0)
    augmenter = XRDAugmenter()
    X_pre = augmenter.augment(X, random_state=np.random.default_rng(1))
    rows = {"pre-augmented arrays": [], "augmenter, fresh each epoch": []}
    for _ in range(args.repeats):
        rows["pre-augmented arrays"] += _skxrd_epochs(args, X_pre, y)
        rows["augmenter, fresh each epoch"] += _skxrd_epochs(
            args, X, y, augmenter=augmenter
        )
    return _table("seconds per epoch", rows, baseline="pre-augmented arrays")


def bench_inference(args):
    import joblib

    from skxrd.ensemble import XRDEnsembleClassifier

    n_classes = 230
    X, y = _patterns(n_classes, args.n_points, n_classes, seed=2)
    ensemble = XRDEnsembleClassifier(
        _dense(args, epochs=1, batch_size=n_classes),
        n_estimators=args.n_estimators,
        random_state=0,
    ).fit(X, y)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "ensemble.joblib")
        joblib.dump(ensemble, path)
        del ensemble
        gc.collect()
        ensemble = joblib.load(path)
        size_mb = os.path.getsize(path) / 1e6
    X_many, _ = _patterns(args.n_inference, args.n_points, n_classes, seed=3)
    rows = {"1 pattern": [], f"{args.n_inference} patterns": []}
    ensemble.predict_proba(X_many[:1])
    for _ in range(args.repeats):
        for name, batch in (
            ("1 pattern", X_many[:1]),
            (f"{args.n_inference} patterns", X_many),
        ):
            wall, cpu = time.perf_counter(), time.process_time()
            ensemble.predict_proba(batch)
            rows[name].append((time.perf_counter() - wall, time.process_time() - cpu))
    weights = ensemble.estimators_[0].model_.count_params()
    table = _table(
        f"seconds per predict_proba, {args.n_estimators} members x {weights:,} weights",
        rows,
        baseline="1 pattern",
    )
    table["pickle_mb"] = round(size_mb, 1)
    return table


def _table(unit, rows, baseline):
    medians = {
        name: np.median(np.asarray(values), axis=0) for name, values in rows.items()
    }
    return {
        "unit": unit,
        "baseline": baseline,
        "rows": {
            name: {
                "wall_median": float(medians[name][0]),
                "cpu_median": float(medians[name][1]),
                "wall_ratio": float(medians[name][0] / medians[baseline][0]),
                "cpu_ratio": float(medians[name][1] / medians[baseline][1]),
                "n": len(rows[name]),
            }
            for name in rows
        },
    }


def _print(name, table):
    print(f"\n{name}: {table['unit']} (median; ratio to '{table['baseline']}')")
    print(f"  {'':<32} {'wall s':>9} {'ratio':>7} {'CPU s':>9} {'ratio':>7}")
    for row, v in table["rows"].items():
        print(
            f"  {row:<32} {v['wall_median']:9.4f} {v['wall_ratio']:7.3f} "
            f"{v['cpu_median']:9.4f} {v['cpu_ratio']:7.3f}   n={v['n']}"
        )
    if "pickle_mb" in table:
        print(f"  ensemble file: {table['pickle_mb']} MB")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", choices=["overhead", "augment", "inference"], action="append"
    )
    parser.add_argument("--n-patterns", type=int, default=1024)
    parser.add_argument("--n-points", type=int, default=8500)
    parser.add_argument("--n-classes", type=int, default=230)
    parser.add_argument(
        "--hidden", type=int, nargs="+", default=[4000, 3000, 1000, 800]
    )
    parser.add_argument(
        "--dropout", type=float, nargs="+", default=[0.6, 0.5, 0.4, 0.3]
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument(
        "--epochs", type=int, default=3, help="per fit; the first is dropped"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n-estimators", type=int, default=10)
    parser.add_argument("--n-inference", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--json", help="write the results to this file")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_patterns, args.n_points, args.hidden = 256, 1000, [64, 32]
        args.repeats, args.n_estimators, args.n_inference = 1, 2, 50
    results = {"args": vars(args)}
    for name, bench in (
        ("overhead", bench_overhead),
        ("augment", bench_augment),
        ("inference", bench_inference),
    ):
        if args.only and name not in args.only:
            continue
        results[name] = bench(args)
        _print(name, results[name])
    results["load_average"] = os.getloadavg()
    print(
        f"\nload average (1, 5, 15 min): {results['load_average']}, "
        f"cpus: {os.cpu_count()}"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
