"""Which copies of the reference structures help search-match (held-out only).

    python benchmarks/bench_references.py [--configs K,STRAIN,SUBST[,SCALE] ...]
                                          [--matcher JSON] [--selection]
                                          [--rescale-substituted]

For each configuration, the search-match references are the training
structures' patterns plus K copies of each (`reference_patterns`, i.e.
`skxrd.engine.structure_variants`
with strain STRAIN, substitution probability SUBST, lattice scale SCALE,
default 0; K = 0: the structures alone; ``--rescale-substituted``: each
substitution also rescales the copy's cell by the atoms' radius ratio).
The shipped network is pooled with the matcher (`with_references`) and the
pool's log-loss on the held-out structures' patterns is taken at its best
search-match weight (each weight at its own best temperature, as
`calibrate_matching` chooses); with ``--selection`` on the held-out and
known-type patterns the shipped weight is chosen on (`selection_patterns`).
Prints that log-loss, the weight, and the matcher's own top-1 accuracy on the
same patterns.  RRUFF is not read: the
references are chosen without it.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.models import load_pretrained, with_references  # noqa: E402
from skxrd.models._matching import _best_weight, _pools_by_weight  # noqa: E402
from skxrd.models._recipe import (  # noqa: E402
    held_out_patterns,
    reference_patterns,
    selection_patterns,
    split_structures,
)

CONFIGS = (
    "0,0,0",
    "8,0.03,0",
    "16,0.03,0",
    "8,0.05,0",
    "8,0.03,0.5",
    "8,0.03,1",
    "16,0.03,0.5",
    "8,0.05,0.5",
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", nargs="+", default=CONFIGS)
    parser.add_argument(
        "--matcher",
        default="{}",
        help="PatternMatchClassifier parameters as JSON, e.g. '{\"smoothing\": 0.04}'",
    )
    parser.add_argument(
        "--selection",
        action="store_true",
        help="judge on the held-out and known-type patterns the shipped weight "
        "is chosen on (selection_patterns) instead of the held-out ones alone",
    )
    parser.add_argument(
        "--rescale-substituted",
        action="store_true",
        help="the copies' substitutions rescale their cells by the atoms' radius "
        "ratio (structure_variants(rescale_substituted=True))",
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    training, held_out = split_structures(n_jobs=args.n_jobs)
    matcher_params = json.loads(args.matcher)
    if args.selection:
        X_held, y_held = selection_patterns(held_out, training)
    else:
        X_held, y_held = held_out_patterns(0, held_out)
    model = load_pretrained(references=None)
    rows = []
    for config in args.configs:
        start = time.perf_counter()
        k, strain, substitution, scale = (
            float(v) for v in (*config.split(","), "0")[:4]
        )
        X, y, _ = reference_patterns(
            training,
            args.n_jobs,
            n_variants=int(k),
            strain=strain,
            substitution_probability=substitution,
            lattice_scale=scale,
            rescale_substituted=args.rescale_substituted,
        )
        pooled = with_references(
            model, X, y, {"matcher": matcher_params, "weight": 0.0}
        )
        weight, losses = _best_weight(
            _pools_by_weight(pooled, X_held), y_held, pooled.classes_
        )
        matcher = pooled.named_estimators_["match"]
        row = {
            "copies": int(k),
            "strain": strain,
            "substitution": substitution,
            **({"lattice_scale": scale} if scale else {}),
            **({"rescale_substituted": True} if args.rescale_substituted else {}),
            "references": len(y),
            **({"matcher": matcher_params} if matcher_params else {}),
            ("selection" if args.selection else "held_out") + "_log_loss": round(
                losses[weight], 4
            ),
            "weight": weight,
            "match_alone_top1": round(100 * matcher.score(X_held, y_held), 1),
            "seconds": round(time.perf_counter() - start, 1),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
