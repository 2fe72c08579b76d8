"""Does the training-data engine keep a small CNN busy?

    python benchmarks/bench_stream_training.py [--steps 20] [--n-jobs 2]

Times ``partial_fit`` of a small CNN on batches of 256 patterns: once on
pre-made arrays (the baseline), once on batches pulled from
`SyntheticPatternSource` with worker processes making the next batches while
the network trains, and once through `BatchReplay` with the workers at
niceness 19 (training never waits; recent patterns are echoed while the
stream catches up). Reports the median wall time per step of each, their
ratio to pre-made (the issue's target: within 10%) and, for the replay, the
share of fresh patterns among those trained on.
"""

import argparse
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.augmentation import XRDAugmenter  # noqa: E402
from skxrd.engine import BatchReplay, SyntheticPatternSource  # noqa: E402
from skxrd.neural_network import XRDCNNClassifier  # noqa: E402


def small_cnn():
    return XRDCNNClassifier(
        filters=(16, 16, 32),
        kernel_sizes=(50, 25, 12),
        hidden_layer_sizes=(256,),
        dropout=0.2,
        conv_dropout=0.1,
        batch_size=256,
        random_state=0,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    classes = np.arange(1, 231)

    def source(n_jobs):
        return SyntheticPatternSource(
            batch_size=256,
            n_jobs=n_jobs,
            random_state=0,
            augmenter=XRDAugmenter(counts=(1e2, 1e4)),
        )

    X, y = source(1).take(256 * 4)
    net = small_cnn()
    net.partial_fit(X[:256], y[:256], classes=classes)  # build and trace once
    premade = []
    for k in range(args.steps):
        i = k % 4
        t = time.perf_counter()
        net.partial_fit(X[256 * i : 256 * (i + 1)], y[256 * i : 256 * (i + 1)])
        premade.append(time.perf_counter() - t)

    net = small_cnn()
    net.partial_fit(X[:256], y[:256], classes=classes)
    streamed = []
    batches = source(args.n_jobs).batches()
    next(batches)  # workers started
    for _ in range(args.steps):
        t = time.perf_counter()
        Xb, yb = next(batches)
        net.partial_fit(Xb, yb)
        streamed.append(time.perf_counter() - t)
    batches.close()

    net = small_cnn()
    net.partial_fit(X[:256], y[:256], classes=classes)
    replayed = []
    with BatchReplay(source(args.n_jobs).batches(nice=19), random_state=0) as replay:
        next(replay)
        fresh0, served0 = replay.n_fresh, replay.n_served
        for _ in range(args.steps):
            t = time.perf_counter()
            Xb, yb = next(replay)
            net.partial_fit(Xb, yb)
            replayed.append(time.perf_counter() - t)
        fresh = (replay.n_fresh - fresh0) / (replay.n_served - served0)
    a, b, c = np.median(premade), np.median(streamed), np.median(replayed)
    print(f"pre-made arrays  {a:.3f} s per step of 256 (median of {args.steps})")
    print(
        f"streamed         {b:.3f} s per step ({args.n_jobs} workers)  "
        f"ratio {b / a:.2f}×"
    )
    print(
        f"replayed         {c:.3f} s per step ({args.n_jobs} workers at nice 19)  "
        f"ratio {c / a:.2f}×  fresh patterns {100 * fresh:.0f}%"
    )
    print("target: ratio ≤ 1.10×")


if __name__ == "__main__":
    main()
