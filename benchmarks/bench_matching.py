"""Speed of search-match against reference patterns, beside the network's.

    python benchmarks/bench_matching.py [--queries 256] [--repeats 5]

Times `skxrd.neighbors.PatternMatchClassifier.predict_proba` (21 lattice
scales) on ``--queries`` patterns: with its defaults against the
training structures' patterns alone (about 1,500), and with the 8 strained,
substituted copies of each with the matcher settings of the shipped pool
(`reference_patterns`, about 13,000, `MATCHER_PARAMS`: the cost is linear in
the references and in the points kept after smoothing), and,
as the baseline measured in the same run, the shipped network's
``predict_proba`` on the same queries.  Prints medians of ``--repeats`` runs in
milliseconds per query and the ratio to the network, and the memory of the
prepared references.
"""

import argparse
import json
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.models import load_pretrained  # noqa: E402
from skxrd.models._recipe import (  # noqa: E402
    MATCHER_PARAMS,
    held_out_patterns,
    reference_patterns,
    split_structures,
)
from skxrd.neighbors import PatternMatchClassifier  # noqa: E402


def median_ms_per_query(func, n_queries, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times)) / n_queries


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=256)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    training, held_out = split_structures(n_jobs=args.n_jobs)
    references = {
        "structures": reference_patterns(training, n_jobs=args.n_jobs, n_variants=0),
        "shipped": reference_patterns(training, n_jobs=args.n_jobs),
    }
    X, _ = held_out_patterns(0, held_out)
    X = np.resize(X, (args.queries, X.shape[1]))
    network = load_pretrained(references=None)
    network.predict_proba(X[:8])
    # Named after the members that ship, so older results stay distinguishable.
    network_label = (
        "network ("
        + ", ".join(
            type(m).__name__.removeprefix("XRD").removesuffix("Classifier")
            for m in network.estimators_
        )
        + ")"
    )
    rows = {
        network_label: median_ms_per_query(
            lambda: network.predict_proba(X), len(X), args.repeats
        )
    }
    settings = {
        "structures, default matcher": ("structures", {}),
        "structures + copies, shipped matcher": ("shipped", MATCHER_PARAMS),
    }
    for name, (which, params) in settings.items():
        X_ref, y_ref, _ = references[which]
        matcher = PatternMatchClassifier(classes=np.arange(1, 231), **params)
        matcher.fit(X_ref, y_ref)
        rows[f"search-match, {len(y_ref):,} references ({name})"] = median_ms_per_query(
            lambda m=matcher: m.predict_proba(X), len(X), args.repeats
        )
        rows[f"prepared references, MB ({name})"] = matcher.references_.nbytes / 1e6
    baseline = rows[network_label]
    for name, value in rows.items():
        if name.startswith("prepared"):
            print(f"{name:<72s} {value:8.0f}")
        else:
            print(
                f"{name:<72s} {value:8.2f} ms per pattern  "
                f"({value / baseline:.2f}× network)"
            )
    print(json.dumps({"queries": len(X), "repeats": args.repeats, **rows}))


if __name__ == "__main__":
    main()
