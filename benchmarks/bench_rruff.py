"""Accuracy of a model on measured RRUFF patterns and on simulated real structures.

    python benchmarks/bench_rruff.py [--model FILE] [--json OUT] [--shift-average K]
                                     [--prior-power TAU] [--prior-target TARGET]
                                     [--no-references] [--by-match] [--by-system]
                                     [--match-weight W] [--cross-validate-weight]
                                     [--compare FILE] [--references DATASET ...]
    python benchmarks/bench_rruff.py --table benchmarks/results_rruff.json

Evaluates the pretrained space-group model (or ``--model``) on
../shared/data/rruff_dev.npz (303 measured patterns; validation only, never used
for training) and on patterns simulated from real structures skxrd never trains on
(half of the Avogadro/COD CIFs, split off by a hash of formula and group, and
pymatgen's structures, with realistic profiles and noise; the recipe drops
training structures with their formula and group).
Prints the paper's Table I figures, and the expected calibration error, beside
a baseline that answers every pattern with the class prior of the reachable
real structures.  When the model file stores search-match settings, the same
figures follow for the network pooled with search-match against the references
the file stores (for older files: the training structures and their copies,
simulated again), and for the search-match alone.
"""

import argparse
import json
import os
from importlib import resources
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import _priors  # noqa: E402

from skxrd.metrics import format_reports, xrd_report  # noqa: E402
from skxrd.models import load_model, load_pretrained, with_references  # noqa: E402
from skxrd.models._file import _read, _reference_patterns  # noqa: E402
from skxrd.models._pretrained import _pretrained_file  # noqa: E402
from skxrd.models._recipe import (  # noqa: E402
    held_out_patterns,
    held_out_structures,
    load_measured_set,
    reference_patterns,
    split_structures,
)

ROOT = Path(__file__).resolve().parents[1]
MATCH_BINS = (-1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
CV_METRICS = (
    "space_group_accuracy",
    "top_5_accuracy",
    "crystal_system_accuracy",
    "accuracy_at_50_coverage",
)


# The docs' table (docs/user_guide/pretrained.rst): rows, their keys and
# formats, the columns' report names and the paper's Table I figures.
TABLE_ROWS = (
    ("space group, top-1", "space_group_accuracy", "54% / 57%"),
    ("space group, top-5", "top_5_accuracy", "–"),
    ("crystal system", "crystal_system_accuracy", "70% / 73%"),
    ("mean subgroup distance", "mean_subgroup_distance", "–"),
    ("accuracy at 50% coverage", "accuracy_at_50_coverage", "82% (RRUFF)"),
    ("coverage at threshold", "coverage_at_threshold", "–"),
    ("accuracy at threshold", "accuracy_at_threshold", "–"),
    ("expected calibration error", "expected_calibration_error", "–"),
)
TABLE_COLUMNS = (
    ("skxrd, RRUFF", "RRUFF (303 measured)"),
    ("+ match, RRUFF", "RRUFF (303 measured), with search-match"),
    ("prior, RRUFF", "RRUFF (303 measured), prior baseline"),
    ("skxrd, held-out", "simulated real structures"),
    ("+ match, held-out", "simulated real structures, with search-match"),
    ("prior, held-out", "simulated real structures, prior baseline"),
)


def table(results):
    """The docs' table (reStructuredText) of a ``--json`` results file."""
    header = ["figure", *(name for name, _ in TABLE_COLUMNS)]
    header.append("paper (dense), RRUFF / test")
    rows = []
    for label, key, paper in TABLE_ROWS:
        cells = [label]
        for _, report in TABLE_COLUMNS:
            value = results.get(report, {}).get(key)
            if value is None:
                cells.append("–")
            elif key == "mean_subgroup_distance":
                cells.append(f"{value:.2f}")
            elif key == "expected_calibration_error":
                cells.append(f"{value:.3f}")
            else:
                cells.append(f"{100 * value:.1f}%")
        rows.append([*cells, paper])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)
    lines = [rule, "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append(rule)
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    lines.append(rule)
    return "\n".join(line.rstrip() for line in lines)


def prior_ratio(target, power, classes, systems="collections"):
    """Per-class factor (target prior / training prior) ** power (label shift).

    ``target`` "uniform" divides by the training prior alone; "mp-groups"
    takes the Materials Project's group frequencies; "mp-systems" only its
    crystal-system frequencies, spread over each system's groups as the
    training prior spreads them.  ``systems`` is the crystal-system option of
    the training prior (`space_group_prior`), as the model file records it.
    """
    from skxrd.engine import space_group_prior

    train = space_group_prior(systems=systems)
    target_prior = _priors.target_prior(target)
    return ((target_prior / train) ** power)[np.asarray(classes) - 1]


def recalibrated(proba_by_set, y_calibration, classes):
    """Probabilities with a temperature and a 50%-coverage threshold refitted.

    ``proba_by_set`` maps set names to probabilities; the first set is the
    measured calibration set (as the shipped model is calibrated).  Returns
    the tempered probabilities and the threshold.
    """
    from skxrd.metrics import apply_temperature, fit_temperature, threshold_for_coverage

    first = next(iter(proba_by_set.values()))
    temperature = fit_temperature(y_calibration, first, labels=classes)
    tempered = {k: apply_temperature(v, temperature) for k, v in proba_by_set.items()}
    threshold = threshold_for_coverage(next(iter(tempered.values())), 0.5)
    return tempered, threshold


def accuracy_by_match(pooled, X, y, network_proba, pool_proba, edges=MATCH_BINS):
    """Top-1 accuracies grouped by how well the best reference matches.

    The matcher's best correlation with any reference says whether the
    measured compound (or a close relative) is in the library.  Returns one
    row per bin of ``edges``: the bin, the number of patterns, and the top-1
    accuracy (%) of the pool, the network and the matcher there.
    """
    matcher = pooled.named_estimators_["match"]
    distance, index = matcher.kneighbors(X, 1)
    best = 1 - distance[:, 0]
    nearest = matcher.reference_labels_[index[:, 0]]
    classes = pooled.classes_
    answers = {
        "pool": classes[pool_proba.argmax(axis=1)],
        "network": pooled.named_estimators_["network"].classes_[
            network_proba.argmax(axis=1)
        ],
        "search-match": nearest,
    }
    rows = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (best >= low) & (best < high)
        row = {"best r": f"{low:g}-{high:g}", "patterns": int(inside.sum())}
        for name, answer in answers.items():
            hits = answer[inside] == y[inside]
            row[name] = round(100 * hits.mean(), 1) if inside.any() else None
        rows.append(row)
    return rows


def accuracy_by_system(y, probas, classes):
    """Top-1 and crystal-system accuracy for each true crystal system.

    ``probas`` maps names (network, pool) to probabilities over ``classes``.
    Returns one row per crystal system present in ``y``: the number of
    patterns and, per name, the space-group top-1 accuracy and the
    crystal-system accuracy (%), the system read from the probabilities
    summed per system as `xrd_report` reads it.
    """
    from skxrd.metrics import crystal_system_proba
    from skxrd.spacegroups import CRYSTAL_SYSTEMS, crystal_system_index

    truth = crystal_system_index(y)
    rows = []
    for k, system in enumerate(CRYSTAL_SYSTEMS):
        inside = truth == k
        if not inside.any():
            continue
        row = {"system": system, "patterns": int(inside.sum())}
        for name, proba in probas.items():
            top = classes[proba[inside].argmax(axis=1)]
            systems = crystal_system_proba(proba[inside], classes).argmax(axis=1)
            row[name] = round(100 * np.mean(top == y[inside]), 1)
            row[name + " system"] = round(100 * np.mean(systems == k), 1)
        rows.append(row)
    return rows


def certainty_auroc(y, proba, classes):
    """How well the certainty (max probability) separates right from wrong.

    The area under the ROC curve of the certainty as a score for "the top
    answer is right": 0.5 is no better than chance, 1 a perfect ranking.  It
    judges the whole ranking that a reject option cuts, where the accuracy at
    50% coverage judges one cut.
    """
    from sklearn.metrics import roc_auc_score

    hits = classes[proba.argmax(axis=1)] == y
    if hits.all() or not hits.any():
        return float("nan")
    return float(roc_auc_score(hits, proba.max(axis=1)))


def paired_differences(y, proba, other, classes, repeats=2000, seed=0):
    """Paired bootstrap of two models' figures on the same patterns.

    ``proba`` and ``other`` are two models' probabilities over ``classes``
    for the patterns labelled ``y``.  Patterns are resampled with replacement
    ``repeats`` times; both models are scored on each resample.  Returns, for
    top-1 accuracy and accuracy at 50% coverage (%), the two figures, their
    difference (``proba`` minus ``other``) and its 95% interval, and both
    certainty AUROCs.  The interval covers the sampling of patterns only, not
    the run-to-run noise of training.
    """
    from skxrd.metrics import threshold_for_coverage

    def figures(p, rows):
        hits = classes[p[rows].argmax(axis=1)] == y[rows]
        confident = p[rows].max(axis=1) >= threshold_for_coverage(p[rows], 0.5)
        return 100 * hits.mean(), 100 * hits[confident].mean()

    everything = np.arange(len(y))
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(repeats):
        rows = rng.integers(0, len(y), len(y))
        draws.append(np.subtract(figures(proba, rows), figures(other, rows)))
    low, high = np.percentile(draws, [2.5, 97.5], axis=0)
    result = {}
    names = ("space_group_accuracy", "accuracy_at_50_coverage")
    this, that = figures(proba, everything), figures(other, everything)
    for k, name in enumerate(names):
        result[name] = {
            "this": round(float(this[k]), 1),
            "other": round(float(that[k]), 1),
            "difference": round(float(this[k] - that[k]), 1),
            "95% interval": [round(float(low[k]), 1), round(float(high[k]), 1)],
        }
    result["certainty_auroc"] = {
        "this": round(certainty_auroc(y, proba, classes), 3),
        "other": round(certainty_auroc(y, other, classes), 3),
    }
    return result


def member_agreement(model, X, y, proba):
    """How often an ensemble's members name the same group, and how well.

    ``proba`` is the ensemble's own probabilities for ``X`` (already
    predicted by the caller).  Returns the share of patterns on which every
    member's top group is the same and the ensemble's top-1 accuracy on those
    and on the others (%), or None for a model without members.  Members
    trained alike agree more; their agreement carries less information about
    being right.
    """
    members = getattr(model, "estimators_", None)
    if not members or len(members) < 2:
        return None
    answers = np.array(
        [np.asarray(m.classes_)[m.predict_proba(X).argmax(axis=1)] for m in members]
    )
    agree = (answers == answers[0]).all(axis=0)
    hits = np.asarray(model.classes_)[proba.argmax(axis=1)] == y

    def share(mask):
        return round(100 * float(hits[mask].mean()), 1) if mask.any() else None

    return {
        "all members agree": round(100 * float(agree.mean()), 1),
        "top-1 where they agree": share(agree),
        "top-1 elsewhere": share(~agree),
    }


def cross_validated_weight(pooled, X, y, repeats=5, seed=0):
    """Two-fold cross-validation on measured patterns of the pool's weight.

    ``pooled`` is the network pooled with search-match (`with_references`).
    For each of ``repeats`` random halvings, the weight of `MATCH_WEIGHTS`
    with the lowest log-loss (at its own best temperature) on one half is
    scored on the other half, and the other way round.  Returns the weights
    chosen and the mean top-1 / top-5 / crystal-system / 50%-coverage
    accuracies (%) on the halves not used to choose.
    """
    from skxrd.models._matching import _best_weight, _pools_by_weight

    pools = _pools_by_weight(pooled, X)
    classes = pooled.classes_
    rng = np.random.default_rng(seed)
    chosen, scores = [], []
    for _ in range(repeats):
        order = rng.permutation(len(y))
        halves = order[: len(y) // 2], order[len(y) // 2 :]
        for fit_rows, test_rows in (halves, halves[::-1]):
            fit_pools = {w: proba[fit_rows] for w, proba in pools.items()}
            weight, _ = _best_weight(fit_pools, y[fit_rows], classes)
            report = xrd_report(y[test_rows], pools[weight][test_rows], labels=classes)
            chosen.append(weight)
            scores.append([100 * report[k] for k in CV_METRICS])
    mean = np.mean(scores, axis=0).round(1).tolist()
    return {"weights_chosen": chosen, **dict(zip(CV_METRICS, mean, strict=True))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    parser.add_argument("--json", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--shift-average",
        type=int,
        default=0,
        metavar="K",
        help="average the probabilities over each pattern shifted by -K, 0 and "
        "+K grid points (a test-time augmentation lever; 0: off)",
    )
    parser.add_argument(
        "--prior-power",
        type=float,
        default=0.0,
        metavar="TAU",
        help="multiply the probabilities by (target prior / training class prior) "
        "to the power TAU and renormalise, then refit temperature and threshold on "
        "RRUFF (a label-shift lever; 0: off)",
    )
    parser.add_argument(
        "--prior-target",
        choices=_priors.TARGETS,
        default="uniform",
        help="the target prior of --prior-power: uniform, or the Materials Project's "
        "crystal-system or space-group frequencies (pyxtal's statistics)",
    )
    parser.add_argument(
        "--no-references",
        action="store_true",
        help="skip the rows of the network pooled with search-match",
    )
    parser.add_argument(
        "--match-weight",
        type=float,
        default=None,
        metavar="W",
        help="weight of the search-match in the pool instead of the file's (a lever)",
    )
    parser.add_argument(
        "--cross-validate-weight",
        action="store_true",
        help="also choose the search-match weight on half of RRUFF and score it on "
        "the other half (two-fold, five times; a diagnostic, not the shipped rule)",
    )
    parser.add_argument(
        "--by-match",
        action="store_true",
        help="also print top-1 accuracy on RRUFF by the best reference's "
        "correlation (is the compound in the library?)",
    )
    parser.add_argument(
        "--by-system",
        action="store_true",
        help="also print top-1 and crystal-system accuracy on RRUFF for each "
        "true crystal system",
    )
    parser.add_argument(
        "--compare",
        default=None,
        metavar="FILE",
        help="also compare with another model file on the same patterns: "
        "paired-bootstrap intervals of the differences in top-1 and accuracy at "
        "50%% coverage, and each model's certainty AUROC (network and pool)",
    )
    parser.add_argument(
        "--table",
        default=None,
        metavar="JSON",
        help="print the docs' table of a --json results file and stop",
    )
    parser.add_argument(
        "--references",
        nargs="+",
        default=None,
        metavar="DATASET",
        help="pool with these 'skxrd simulate' dataset files instead of the "
        "recipe's references (what 'skxrd predict --references' does); held-out "
        "figures then count only if the files hold no held-out structure",
    )
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    if args.table:
        print(table(json.loads(Path(args.table).read_text())))
        return
    if args.compare and (args.prior_power or args.shift_average):
        parser.error("--compare compares the models as they are; no other lever")
    if args.model is None:
        model = load_pretrained(references=None)
        with resources.as_file(_pretrained_file("space-group")) as path:
            stored = _read(path, references=True)[2]
    else:
        model = load_model(args.model, references=None)
        stored = _read(args.model, references=True)[2]
    other = load_model(args.compare, references=None) if args.compare else None
    if other is not None and not np.array_equal(other.classes_, model.classes_):
        parser.error(f"{args.compare} does not predict the same classes")
    compared = {}
    classes = np.asarray(model.classes_)
    threshold = getattr(model, "reject_threshold", None)
    reports, baselines = {}, {}
    datasets = {}
    if Path(args.rruff).exists():
        datasets["RRUFF (303 measured)"] = load_measured_set(args.rruff)
    matching = model.skxrd_metadata_.get("matching")
    pooling = bool(matching) and not args.no_references
    if pooling and not args.references and stored is None:
        # Both sides of the split in one reading of the collections.
        training, held_out = split_structures(n_jobs=args.n_jobs)
    else:
        held_out = held_out_structures(n_jobs=args.n_jobs)
    datasets["simulated real structures"] = held_out_patterns(args.seed, held_out)
    from skxrd.engine import space_group_prior

    prior = space_group_prior()
    shifts = sorted({-args.shift_average, 0, args.shift_average})
    # Models trained before the recipe took the Materials Project's system
    # frequencies record no prior: they drew groups from the collections'.
    systems = model.skxrd_metadata_["metadata"].get(
        "class_prior_systems", "collections"
    )
    ratio = prior_ratio(args.prior_target, args.prior_power, classes, systems)
    probas = {}
    for name, (X, y) in datasets.items():
        proba = np.mean([model.predict_proba(np.roll(X, k, axis=1)) for k in shifts], 0)
        if args.prior_power:
            proba = proba * ratio / (proba * ratio).sum(axis=1, keepdims=True)
        probas[name] = proba
        constant = np.tile(prior[classes - 1], (len(y), 1))
        baselines[name + ", prior baseline"] = xrd_report(y, constant, labels=classes)
    if args.prior_power and "RRUFF (303 measured)" in datasets:
        probas, threshold = recalibrated(
            probas, datasets["RRUFF (303 measured)"][1], classes
        )
    for name, (_, y) in datasets.items():
        reports[name] = xrd_report(
            y, probas[name], labels=classes, reject_threshold=threshold
        )
        if other is not None:
            X = datasets[name][0]
            other_proba = other.predict_proba(X)
            compared[name + ", network"] = {
                **paired_differences(y, probas[name], other_proba, classes),
                "members": {
                    "this": member_agreement(model, X, y, probas[name]),
                    "other": member_agreement(other, X, y, other_proba),
                },
            }
    if pooling:
        if args.match_weight is not None:
            matching = {**matching, "weight": args.match_weight}
        if args.references:
            # The files as 'skxrd predict --references' reads them.
            from skxrd.cli._commands import _load_references

            references = _load_references(args.references)[:2]
        elif stored is not None:
            # The references the model file stores, as load_model renders them.
            references = _reference_patterns(stored)[:2]
        else:
            references = reference_patterns(training, n_jobs=args.n_jobs)[:2]
        pooled = with_references(model, *references, matching)
        matcher = pooled.named_estimators_["match"]
        pools, threshold = {}, pooled.reject_threshold
        pool_ratio = prior_ratio(
            args.prior_target, args.prior_power, pooled.classes_, systems
        )
        for name, (X, _) in datasets.items():
            if args.prior_power:
                network, match = pooled._member_probas(X)
                network = network * pool_ratio
                network /= network.sum(axis=1, keepdims=True)
                weight = matching["weight"]
                pools[name] = pooled._pool([network, match], [1 - weight, weight])
            else:
                pools[name] = pooled.predict_proba(X)
        if args.prior_power and "RRUFF (303 measured)" in datasets:
            pools, threshold = recalibrated(
                pools, datasets["RRUFF (303 measured)"][1], pooled.classes_
            )
        for name, (X, y) in datasets.items():
            reports[name + ", with search-match"] = xrd_report(
                y, pools[name], labels=pooled.classes_, reject_threshold=threshold
            )
            reports[name + ", search-match alone"] = xrd_report(
                y, matcher.predict_proba(X), labels=classes
            )
        other_matching = other.skxrd_metadata_.get("matching") if other else None
        if other_matching:
            # The other model pooled its own way with the same references.
            other_pooled = with_references(other, *references, other_matching)
            for name, (X, y) in datasets.items():
                compared[name + ", with search-match"] = paired_differences(
                    y, pools[name], other_pooled.predict_proba(X), pooled.classes_
                )
        if args.by_match and "RRUFF (303 measured)" in datasets:
            X, y = datasets["RRUFF (303 measured)"]
            rows = accuracy_by_match(
                pooled,
                X,
                y,
                probas["RRUFF (303 measured)"],
                pools["RRUFF (303 measured)"],
            )
            print("top-1 accuracy (%) on RRUFF by the best reference's correlation")
            for row in rows:
                print(json.dumps(row))
        if args.by_system and "RRUFF (303 measured)" in datasets:
            _, y = datasets["RRUFF (303 measured)"]
            rows = accuracy_by_system(
                y,
                {
                    "network": probas["RRUFF (303 measured)"],
                    "pool": pools["RRUFF (303 measured)"],
                },
                classes,
            )
            print("accuracy (%) on RRUFF by true crystal system")
            for row in rows:
                print(json.dumps(row))
        if args.cross_validate_weight and "RRUFF (303 measured)" in datasets:
            X, y = datasets["RRUFF (303 measured)"]
            figures = cross_validated_weight(pooled, X, y)
            print(
                "search-match weight chosen on one half of RRUFF, scored on the other"
            )
            print(json.dumps(figures))
    if compared:
        print(f"this model minus {args.compare} (paired bootstrap over patterns)")
        for name, figures in compared.items():
            print(json.dumps({"set": name, **figures}))
    print(format_reports({**reports, **baselines}))
    if args.json:
        Path(args.json).write_text(json.dumps({**reports, **baselines}, indent=2))


if __name__ == "__main__":
    main()
