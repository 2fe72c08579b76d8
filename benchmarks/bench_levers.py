"""One training lever at a time: its effect on measured and held-out patterns.

    python benchmarks/bench_levers.py --data structures --patterns 120000

Trains one small CNN (the pretrained recipe's member) with ``partial_fit`` on
``--patterns`` streamed patterns made the lever's way, then prints space-group
top-1/top-5, crystal-system accuracy and accuracy at 50% coverage (%) on

- ../shared/data/rruff_dev.npz: 303 measured patterns, validation only,
  never trained on;
- held-out real structures (half of the Avogadro/COD CIFs and pymatgen's,
  simulated with realistic profiles and noise); training structures with the
  same formula and group are dropped from training;
- held-out synthetic crystals: 2,048 patterns of another seed of the
  synthetic stream.

``--pooled`` adds the same figures for the network pooled with search-match
against the training structures' patterns and 8 copies of each
(`skxrd.models.with_references`, the matcher's weight chosen by the log-loss
on held-out and known-type patterns as for the shipped model; rows made
before that choice, without ``match_selection``, used the structures alone
and the held-out patterns).  ``--json`` appends the row to a file; ``--table FILE`` prints the rows
of such a file as the reStructuredText table in docs/.

Data (``--data``):

- ``synthetic``: random crystals of all 230 groups, real-collection prior;
- ``structures``: AFLOW prototypes, robocrys minerals and the other half of
  the Avogadro CIFs (`training_structures`), perturbed afresh
  for every pattern (``--strain``, ``--substitution``, ``--displacement``);
- ``mixed``: half of each.
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _priors  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

from skxrd import two_theta_grid  # noqa: E402
from skxrd.augmentation import XRDAugmenter  # noqa: E402
from skxrd.engine import (  # noqa: E402
    StructurePatternSource,
    SyntheticPatternSource,
    symmetry_derivatives,
)
from skxrd.metrics import xrd_report  # noqa: E402
from skxrd.models import calibrate_matching, with_references  # noqa: E402
from skxrd.models._recipe import (  # noqa: E402
    MATCHER_PARAMS,
    held_out_patterns,
    load_measured_set,
    pretrained_member,
    reference_patterns,
    selection_patterns,
    split_structures,
    train_from_stream,
)
from skxrd.neural_network import XRDResNetClassifier  # noqa: E402
from skxrd.preprocessing import normalize_patterns, resampling_matrix  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
METRICS = (
    "space_group_accuracy",
    "top_5_accuracy",
    "crystal_system_accuracy",
    "accuracy_at_50_coverage",
)


def sources(args, structures, batch_size=512):
    """The training streams of a lever run, each with its share of batches."""
    augmenter = XRDAugmenter(counts=(1e2, 1e4), background_amplitude=0.15)
    common = dict(
        batch_size=batch_size,
        augmenter=augmenter,
        n_jobs=args.n_jobs,
        march_dollase_probability=args.md_probability,
        march_dollase_range=tuple(args.md_range),
    )
    # Both streams draw groups with the same prior (all 230 weights).
    prior = (
        "prior"
        if args.class_prior == "collections"
        else _priors.target_prior(args.class_prior)
    )
    synthetic = SyntheticPatternSource(
        class_prior=prior, random_state=args.seed, **common
    )
    if args.data == "synthetic":
        return [(synthetic, 1.0)]
    real = StructurePatternSource(
        structures,
        class_prior=prior,
        strain=args.strain,
        lattice_scale=args.lattice_scale,
        substitution_probability=args.substitution,
        rescale_substituted=args.rescale_substituted,
        displacement=args.displacement,
        random_state=args.seed + 1,
        **common,
    )
    streams = (
        [(real, 1.0)] if args.data == "structures" else [(synthetic, 0.5), (real, 0.5)]
    )
    if args.derivatives:
        count, share = args.derivatives
        # Monoclinic and triclinic relatives of the same structures, streamed
        # beside them; their sheared cells need angle_tolerance=-1 to keep
        # their labels (a source's analysis applies to all its structures).
        records = []
        for system in ("monoclinic", "triclinic"):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                records += symmetry_derivatives(
                    structures,
                    int(count),
                    system=system,
                    random_state=args.seed + 3,
                )
        derived = clone(real).set_params(
            structures=records, angle_tolerance=-1, random_state=args.seed + 4
        )
        streams = [(source, weight * (1 - share)) for source, weight in streams]
        streams.append((derived, share))
    if len(streams) > 1:
        # Several streams share the cores: one worker each.
        for source, _ in streams:
            source.set_params(n_jobs=1)
    return streams


class Transformed:
    """A stream whose patterns pass through ``transform`` (input levers)."""

    def __init__(self, source, transform):
        self.source = source
        self.transform = transform

    def batches(self, nice=0):
        for X, y in self.source.batches(nice=nice):
            yield self.transform(X), y


def square_root(X):
    """Square-root intensities (the intensity-representation lever)."""
    return normalize_patterns(X, method="sqrt")


def log_d_axis():
    """Patterns read on an axis of equal steps in ln(sin θ) = ln(λ/2) − ln d.

    On it an isotropic change of the lattice (lattice scale, solid solutions)
    shifts the whole pattern by ln s instead of stretching it, which
    convolutions follow by construction.  Same number of points as the 2θ
    grid, 5–90° 2θ: the low-angle end is read finer, the high-angle end
    coarser (one step is 0.038° 2θ at 90°, bin means there); maximum 1.
    """
    u = np.log(np.sin(np.radians(two_theta_grid() / 2)))
    W = resampling_matrix(u, np.linspace(u[0], u[-1], u.size))

    def transform(X):
        X = np.asarray(X @ W, dtype=np.float32)
        return X / np.maximum(X.max(axis=1, keepdims=True), 1e-12)

    return transform


def coarser_grid(factor):
    """Patterns on a grid ``factor`` times coarser (bin means; the resolution lever).

    The 0.01° grid read at 0.01 × ``factor`` degrees; a last partial bin is
    dropped.  Maximum 1.
    """

    def transform(X):
        n = X.shape[1] // factor * factor
        X = np.asarray(X[:, :n], dtype=np.float32)
        X = X.reshape(len(X), -1, factor).mean(axis=2)
        return X / np.maximum(X.max(axis=1, keepdims=True), 1e-12)

    return transform


def chained(steps):
    """One transform applying ``steps`` in order (None when there are none)."""
    if not steps:
        return None

    def transform(X):
        for step in steps:
            X = step(X)
        return X

    return transform


def with_impurity(probability, max_fraction, seed):
    """Add a minor phase to a share of the patterns (the impurity lever).

    With ``probability`` a pattern gets another pattern of its batch (another
    structure, its own profile) at a fraction drawn uniformly up to
    ``max_fraction`` of its strongest peak, then the maximum is set back to 1;
    the label stays the main phase's.
    """
    rng = np.random.default_rng(seed)

    def transform(X):
        fraction = rng.uniform(0, max_fraction, len(X)) * (
            rng.random(len(X)) < probability
        )
        X = X + fraction[:, None] * X[rng.permutation(len(X))]
        return (X / X.max(axis=1, keepdims=True)).astype(np.float32)

    return transform


def lever_defaults():
    """The settings a row is named against: the streams' and the shipped member's."""
    stream = StructurePatternSource([]).get_params()
    member = pretrained_member().get_params()
    return {
        "lattice_scale": stream["lattice_scale"],
        "md_probability": stream["march_dollase_probability"],
        "md_range": tuple(stream["march_dollase_range"]),
        "learning_rate": member["learning_rate"],
        "batch_size": member["batch_size"],
    }


def describe(row, defaults):
    """A short name of the lever settings of one row."""
    # Rows written before a lever existed lack its key: they used the default.
    setting = {key: row.get(key, value) for key, value in defaults.items()}
    structures = row["data"] != "synthetic"
    parts = [row["data"]]
    if "n_structures" in row and structures:
        parts[0] += f" ({row['n_structures']:,})"
    if structures:
        parts.append(
            f"strain {row['strain']:g}, subst. {row['substitution']:g}, "
            f"displ. {row['displacement']:g} Å"
        )
    if structures and setting["lattice_scale"] != defaults["lattice_scale"]:
        parts.append(f"lattice scale {row['lattice_scale']:g}")
    if structures and row.get("rescale_substituted"):
        parts.append("substituted cells rescaled (Vegard)")
    if row.get("sqrt"):
        parts.append("square-root intensity")
    if row.get("axis", "two-theta") != "two-theta":
        parts.append("ln d axis")
    if row.get("coarsen", 1) != 1:
        parts.append(f"{0.01 * row['coarsen']:g}° grid")
    if row.get("class_prior", "collections") != "collections":
        parts.append(f"class prior {row['class_prior']}")
    if row.get("derivatives"):
        count, share = row["derivatives"]
        parts.append(
            f"{count:g} monoclinic + {count:g} triclinic derivatives each, "
            f"{share:.0%} of batches"
        )
    if row.get("impurity"):
        probability, fraction = row["impurity"]
        parts.append(f"impurity phase in {probability:.0%}, up to {fraction:.0%}")
    network = "ResNet" if row.get("architecture", "cnn") == "resnet" else "CNN"
    if row.get("width", 1) != 1 or network != "CNN":
        parts.append(f"{network} width x{row['width']:g}")
    if row["loss"] != "categorical_crossentropy":
        parts.append(f"{row['loss']} loss")
    orientation = (setting["md_probability"], tuple(setting["md_range"]))
    if orientation != (defaults["md_probability"], defaults["md_range"]):
        low, high = setting["md_range"]
        parts.append(
            f"preferred orientation in {setting['md_probability']:.0%}, "
            f"r {low:g}-{high:g}"
        )
    if setting["learning_rate"] != defaults["learning_rate"]:
        parts.append(f"learning rate {setting['learning_rate']:g}")
    if setting["batch_size"] != defaults["batch_size"]:
        parts.append(f"batch {setting['batch_size']}")
    if row.get("decay", "constant") != "constant":
        start = row.get("decay_start", 0.0)
        after = f" after {start:.0%} of the budget" if start else ""
        parts.append(f"{row['decay']} learning-rate decay{after}")
    if row.get("replay"):
        parts.append("replay")
    if row.get("seed", 0) != 0:
        parts.append(f"seed {row['seed']}")
    return "; ".join(parts)


def pooled_rows(model, structures, datasets, n_jobs):
    """Figures of the network pooled with search-match on RRUFF and held-out.

    References and the weight's selection set as for the shipped model: the
    structures and their copies (`reference_patterns`), the held-out patterns
    and as many known-type patterns (`selection_patterns`).
    """
    references = reference_patterns(structures, n_jobs=n_jobs)[:2]
    selection = selection_patterns(
        training=structures, held_out_set=datasets["held-out structures"]
    )
    matching = calibrate_matching(model, references, selection, matcher=MATCHER_PARAMS)
    pooled = with_references(model, *references, matching)
    row = {"match_weight": matching["weight"], "match_selection": "known-type"}
    for name in ("RRUFF", "held-out structures"):
        if datasets[name] is not None:
            X, y = datasets[name]
            report = xrd_report(y, pooled.predict_proba(X), labels=pooled.classes_)
            row[name + ", pooled"] = [round(100 * report[k], 1) for k in METRICS]
    return row


def table(path, pooled=False):
    """The rows of a JSON-lines file as a reStructuredText table.

    With ``pooled``, only the rows scored with search-match, the network alone
    beside the pool.
    """
    rows = [json.loads(line) for line in Path(path).read_text().splitlines()]
    defaults = lever_defaults()
    if pooled:
        rows = [r for r in rows if "RRUFF, pooled" in r]
        sets = [
            "RRUFF",
            "RRUFF, pooled",
            "held-out structures",
            "held-out structures, pooled",
        ]
        header = ["lever", "match weight", *sets]
        first = [
            [
                describe(r, defaults),
                f"{r['match_weight']:g}"
                + (" (held-out)" if "match_selection" not in r else ""),
            ]
            for r in rows
        ]
    else:
        sets = ["RRUFF", "held-out structures", "synthetic"]
        header = ["lever", "patterns", *sets, "held-out patterns"]
        first = [
            [
                describe(r, defaults),
                f"{r['seen']:,}"
                + ("" if r["fresh"] == r["seen"] else f" ({r['fresh']:,})"),
            ]
            for r in rows
        ]
    cells = [
        [
            *head,
            *(" / ".join(f"{v:.1f}" for v in r[k]) for k in sets),
            *([] if pooled else [f"{r['n_held_out']:,}"]),
        ]
        for head, r in zip(first, rows, strict=True)
    ]
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    lines = [
        rule,
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)),
        rule,
    ]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells
    ]
    lines.append(rule)
    return "\n".join(lines)


def main():
    # The shipped member sets the defaults; widths are multiples of half its
    # sizes (the first recipe's member, filters 32/32/64 and dense 512/256).
    shipped = pretrained_member()
    defaults = lever_defaults()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", default=None, help="print a JSON-lines file")
    parser.add_argument("--data", choices=("synthetic", "structures", "mixed"))
    parser.add_argument("--patterns", type=int, default=120_000)
    parser.add_argument("--strain", type=float, default=0.03)
    parser.add_argument("--substitution", type=float, default=0.3)
    parser.add_argument(
        "--lattice-scale",
        type=float,
        default=defaults["lattice_scale"],
        help="largest isotropic change of the lattice (StructurePatternSource)",
    )
    parser.add_argument("--displacement", type=float, default=0.0)
    parser.add_argument(
        "--rescale-substituted",
        action="store_true",
        help="a substitution rescales the cell by the atoms' radius ratio "
        "(StructurePatternSource(rescale_substituted=True))",
    )
    parser.add_argument("--loss", default="categorical_crossentropy")
    parser.add_argument(
        "--sqrt", action="store_true", help="train and test on sqrt(intensity)"
    )
    parser.add_argument(
        "--axis",
        choices=("two-theta", "log-d"),
        default="two-theta",
        help="network input axis: the 2θ grid, or equal steps in ln d (an "
        "isotropic lattice change becomes a shift)",
    )
    parser.add_argument(
        "--architecture",
        choices=("cnn", "resnet"),
        default="cnn",
        help="the recipe's CNN member, or XRDResNetClassifier (its defaults at "
        "--width 2)",
    )
    parser.add_argument(
        "--class-prior",
        choices=("collections", *_priors.TARGETS),
        default="collections",
        help="how often the streams draw each group: skxrd's "
        "space_group_prior (the collections it reads), or another population "
        "(benchmarks/_priors.py)",
    )
    parser.add_argument(
        "--coarsen",
        type=int,
        default=1,
        metavar="K",
        help="read the patterns on a K times coarser grid (bin means; K=2: 0.02°)",
    )
    parser.add_argument(
        "--derivatives",
        type=float,
        nargs=2,
        default=None,
        metavar=("N", "SHARE"),
        help="also stream N monoclinic and N triclinic distorted relatives of "
        "each structure (skxrd.engine.symmetry_derivatives) in SHARE of the "
        "batches",
    )
    parser.add_argument(
        "--impurity",
        type=float,
        nargs=2,
        default=None,
        metavar=("PROBABILITY", "FRACTION"),
        help="add another pattern of the batch to this share of the training "
        "patterns at up to FRACTION of the strongest peak (a minor phase)",
    )
    parser.add_argument(
        "--width",
        type=float,
        default=1.0,
        help="CNN filters and units as a multiple of half the shipped member's "
        f"({shipped.filters}, {shipped.hidden_layer_sizes}; the shipped: 2)",
    )
    parser.add_argument(
        "--md-probability",
        type=float,
        default=defaults["md_probability"],
        help="share of crystals with preferred orientation (the streams' default)",
    )
    parser.add_argument(
        "--md-range",
        type=float,
        nargs=2,
        default=defaults["md_range"],
        help="range of their March-Dollase ratio (the streams' default)",
    )
    parser.add_argument(
        "--replay", action="store_true", help="echo batches (BatchReplay)"
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=defaults["learning_rate"],
        help="Adam step size",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=defaults["batch_size"],
        help="patterns per gradient step",
    )
    parser.add_argument(
        "--decay",
        choices=("constant", "cosine"),
        default="constant",
        help="learning-rate schedule over the pattern budget",
    )
    parser.add_argument(
        "--decay-start",
        type=float,
        default=0.0,
        metavar="F",
        help="share of the pattern budget at the set rate before --decay begins",
    )
    parser.add_argument(
        "--pooled",
        action="store_true",
        help="also score the network pooled with search-match (with --table: "
        "print the rows that have it)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.table:
        print(table(args.table, pooled=args.pooled))
        return
    if args.data is None:
        parser.error("--data is required unless --table is given")

    structures, held_out = split_structures(n_jobs=args.n_jobs)
    # Widths scale the architecture's defaults, which are the shipped sizes
    # (width 2) for both networks.
    network = clone(shipped) if args.architecture == "cnn" else XRDResNetClassifier()
    model = network.set_params(
        random_state=args.seed,
        loss=args.loss,
        learning_rate=args.learning_rate,
        batch_size=args.batch_size,
        filters=tuple(round(args.width * f / 2) for f in network.filters),
        hidden_layer_sizes=tuple(
            round(args.width * n / 2) for n in network.hidden_layer_sizes
        ),
    )
    # Input levers act on training and test patterns alike; the impurity
    # lever on training patterns only.
    test_steps = [square_root] if args.sqrt else []
    test_steps += [log_d_axis()] if args.axis == "log-d" else []
    test_steps += [coarser_grid(args.coarsen)] if args.coarsen > 1 else []
    train_steps = list(test_steps)
    if args.impurity:
        train_steps.insert(0, with_impurity(*args.impurity, seed=args.seed + 2))
    represent = chained(test_steps)
    train_transform = chained(train_steps)

    t0 = time.perf_counter()
    seen, fresh = train_from_stream(
        model,
        [
            (Transformed(s, train_transform) if train_transform else s, weight)
            for s, weight in sources(args, structures)
        ],
        max_patterns=args.patterns,
        replay=args.replay,
        learning_rate_decay=args.decay,
        decay_start=args.decay_start,
    )
    minutes = (time.perf_counter() - t0) / 60

    test = SyntheticPatternSource(class_prior="prior", random_state=12345, n_jobs=1)
    datasets = {
        "RRUFF": None,
        "held-out structures": held_out_patterns(args.seed, records=held_out),
        "synthetic": test.set_params(batch_size=512).take(2048),
    }
    if Path(args.rruff).exists():
        datasets["RRUFF"] = load_measured_set(args.rruff)
    row = {
        **{k: v for k, v in vars(args).items() if k not in ("rruff", "json")},
        "n_structures": len(structures),
        "n_held_out": len(datasets["held-out structures"][1]),
        "seen": seen,
        "fresh": fresh,
        "minutes": round(minutes, 1),
    }
    for name, pair in datasets.items():
        if pair is None:
            continue
        X, y = pair
        X = represent(X) if represent else X
        report = xrd_report(y, model.predict_proba(X), labels=model.classes_)
        row[name] = [round(100 * report[k], 1) for k in METRICS]
    if args.pooled and not args.sqrt:
        # The pool hands the network raw patterns: it reads them its own way.
        network = model
        if represent:
            network = make_pipeline(FunctionTransformer(represent), model)
        row.update(pooled_rows(network, structures, datasets, args.n_jobs))
    print(json.dumps(row))
    if args.json:
        with open(args.json, "a", encoding="utf-8") as file:
            file.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
