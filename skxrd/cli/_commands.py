"""The ``skxrd simulate``, ``train``, ``evaluate`` and ``predict`` commands."""

import json
import logging
import sys
import warnings
from contextlib import contextmanager, redirect_stdout
from pathlib import Path

import numpy as np

from .._grid import two_theta_grid
from ._dataset import load_dataset, save_dataset
from ._errors import UserError, exits_cleanly

__all__ = ["simulate", "train", "evaluate", "predict"]

PRESETS = (
    "paper-dense",
    "paper-cnn",
    "small-dense",
    "small-cnn",
    "resnet",
    "pretrained-space-group",
)


@exits_cleanly
def simulate(args):
    """Structures (CIF folder, a shipped source) or synthetic crystals → dataset file."""
    grid = two_theta_grid()
    if args.variants < 0:
        raise UserError(f"--variants must be 0 or more, got {args.variants}")
    if args.synthetic and args.variants:
        raise UserError(
            "--variants copies structures; it does not apply to --synthetic"
        )
    if args.synthetic:
        from ..augmentation import XRDAugmenter
        from ..engine import SyntheticPatternSource

        source = SyntheticPatternSource(
            space_groups=args.space_groups,
            batch_size=min(256, args.synthetic),
            augmenter=XRDAugmenter(counts=(1e3, 1e5)) if args.augment else None,
            n_jobs=args.n_jobs,
            random_state=args.seed,
        )
        X, y = source.take(args.synthetic, progress=args.progress)
        names = np.array([f"synthetic-{i}" for i in range(len(y))])
    else:
        from ..simulation import ProfileSampler, simulate_patterns
        from ..structures import load_structures

        what = args.cif_folder or args.source
        if what is None:
            raise UserError("give --cif-folder, --source or --synthetic N")
        if args.cif_folder and not Path(args.cif_folder).exists():
            raise UserError(f"folder not found: {args.cif_folder}")
        records = load_structures(what)
        if len(records) == 0:
            raise UserError(f"no readable structures in {what}")
        X, y, info = simulate_patterns(
            [r.structure for r in records],
            names=[r.name for r in records],
            profile=ProfileSampler() if args.realistic else None,
            n_jobs=args.n_jobs,
            progress=args.progress,
            random_state=args.seed,
        )
        names = np.asarray(info.names)
        if info.n_skipped:
            print(
                f"skipped {info.n_skipped} structure(s); see the warnings above",
                file=sys.stderr,
            )
        if args.variants:
            X, y, names = _with_variants(records, X, y, names, args)
        if args.augment:
            from ..augmentation import augment_patterns

            X = augment_patterns(X, random_state=args.seed, renormalize=True)
    path = save_dataset(args.output, X, y, grid, names)
    print(f"wrote {len(y)} patterns of {len(np.unique(y))} space groups to {path}")


def _with_variants(records, X, y, names, args):
    """Append `structure_variants` copies (named ``name~k``) to a dataset."""
    from ..engine import structure_variants
    from ..engine._variants import variant_names
    from ..simulation import ProfileSampler

    Xv, yv, index = structure_variants(
        records,
        args.variants,
        profile=ProfileSampler() if args.realistic else None,
        n_jobs=args.n_jobs,
        random_state=args.seed,
    )
    labels = variant_names([r.name for r in records], index)
    return np.vstack([X, Xv]), np.concatenate([y, yv]), np.concatenate([names, labels])


@exits_cleanly
def references(args):
    """Structures → a copy of a model file holding them as search-match references."""
    from ..models import save_model
    from ..models._recipe import reference_sticks

    if args.variants < 0:
        raise UserError(f"--variants must be 0 or more, got {args.variants}")
    for folder in args.cif_folder or ():
        if not Path(folder).exists():
            raise UserError(f"folder not found: {folder}")
    network = _load(args.model, references=None)
    metadata = network.skxrd_metadata_
    matching = _required_matching(network, args.model)
    what = list(args.source or ()) + list(args.cif_folder or ())
    records = None
    if what:
        from ..structures import load_structures

        try:
            records = load_structures(what, n_jobs=args.n_jobs)
        except FileNotFoundError as exc:
            raise UserError(str(exc)) from None
        described = ", ".join(what)
    else:
        from ..models._recipe import TRAINING_SOURCES, split_structures
        from ..structures import available_structure_sources

        records = split_structures(n_jobs=args.n_jobs)[0]
        described = "the recipe's training structures"
        missing = sorted(set(TRAINING_SOURCES) - set(available_structure_sources()))
        if missing:
            print(
                f"note: {', '.join(missing)} not installed: the references lack "
                "their structures, with which the model's search-match settings "
                'were chosen (pip install "skxrd[references]"; Debian\'s '
                "libavogadro-data for avogadro)",
                file=sys.stderr,
            )
    if len(records) == 0:
        raise UserError(
            "no structures to make references of: install the collections "
            '(pip install "skxrd[references]", Debian\'s libavogadro-data) or '
            "give --cif-folder"
        )
    with _progress_lines("skxrd.models", args.progress):
        sticks = reference_sticks(
            records, args.n_jobs, n_variants=args.variants, random_state=args.seed
        )
    # A copy whose diffraction failed has no peaks: nothing to match.
    sticks = sticks[np.diff(sticks.offsets) > 0]
    n_copies = sum("~" in name for name in sticks.names)
    matching = {
        **matching,
        "references": f"{len(sticks)} patterns: {len(sticks) - n_copies} structures "
        f"({described}) and {n_copies} strained, substituted copies "
        "(skxrd references), stored in the file as peak lists",
    }
    path = save_model(
        network,
        args.output,
        wavelength=metadata["wavelength"],
        metadata=metadata["metadata"],
        matching=matching,
        references=sticks,
        weights_dtype=metadata.get("weights_dtype", "float32"),
    )
    print(
        f"wrote {path}: the model with {len(sticks)} search-match references "
        f"({len(sticks) - n_copies} structures, {n_copies} copies)"
    )


@contextmanager
def _progress_lines(name, enabled=True):
    """Show a library logger's INFO lines on stderr while the block runs."""
    if not enabled:
        yield
        return
    log = logging.getLogger(name)
    # Made here, so that it writes to the sys.stderr of this call.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    level = log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(level)


#: ``skxrd train`` options that set `train_pretrained` levers.
RECIPE_LEVERS = (
    "architecture",
    "synthetic_fraction",
    "class_prior_systems",
    "learning_rate_decay",
    "decay_start",
    "bootstrap",
    "weights_dtype",
)


def make_preset(name, *, n_estimators, epochs, augment, seed, verbose=0):
    """The estimators behind ``skxrd train --preset``; ``verbose`` is Keras'."""
    from ..augmentation import XRDAugmenter
    from ..ensemble import XRDEnsembleClassifier
    from ..neural_network import (
        XRDCNNClassifier,
        XRDDenseClassifier,
        XRDResNetClassifier,
    )

    augmenter = XRDAugmenter() if augment else None
    if name == "paper-dense":
        member = XRDDenseClassifier(epochs=epochs, augmenter=augmenter)
    elif name == "paper-cnn":
        member = XRDCNNClassifier(epochs=epochs, augmenter=augmenter)
    elif name == "small-dense":
        member = XRDDenseClassifier(
            hidden_layer_sizes=(512, 256),
            dropout=(0.3, 0.2),
            epochs=epochs,
            batch_size=128,
            augmenter=augmenter,
        )
    elif name == "small-cnn":
        member = XRDCNNClassifier(
            filters=(16, 16, 16),
            kernel_sizes=(50, 25, 12),
            hidden_layer_sizes=(256, 128),
            dropout=0.3,
            conv_dropout=0.1,
            epochs=epochs,
            augmenter=augmenter,
        )
    elif name == "resnet":
        member = XRDResNetClassifier(
            loss="categorical_crossentropy", epochs=epochs, augmenter=augmenter
        )
    else:  # argparse restricts the choices; this guards library callers
        raise UserError(f"unknown preset {name!r}; choose from {', '.join(PRESETS)}")
    member.set_params(verbose=verbose)
    return XRDEnsembleClassifier(member, n_estimators=n_estimators, random_state=seed)


@exits_cleanly
def train(args):
    """Dataset file → fitted model file."""
    from ..models import save_model

    levers = {key: getattr(args, key, None) for key in RECIPE_LEVERS}
    levers = {key: value for key, value in levers.items() if value is not None}
    if args.preset != "pretrained-space-group" and levers:
        given = ", ".join("--" + key.replace("_", "-") for key in levers)
        raise UserError(
            f"only the pretrained-space-group preset takes {given}; "
            f"{args.preset} does not"
        )
    if args.preset == "pretrained-space-group":
        # The shipped model's recipe: it streams its own data, so no dataset.
        from ..models._recipe import train_pretrained

        if args.dataset is not None:
            raise UserError(
                "the pretrained-space-group preset streams its own training data; "
                "give no dataset"
            )
        with _progress_lines("skxrd.models", enabled=args.progress):
            path = train_pretrained(
                args.output,
                minutes=args.minutes,
                seed=args.seed,
                n_jobs=args.n_jobs,
                calibration_data=args.calibration_data,
                **levers,
            )
        print(f"trained the pretrained-space-group recipe; wrote {path}")
        return
    if args.dataset is None:
        raise UserError(f"the {args.preset} preset needs a dataset file")
    X, y, two_theta, _ = load_dataset(args.dataset)
    model = make_preset(
        args.preset,
        n_estimators=args.n_estimators,
        epochs=args.epochs,
        augment=not args.no_augment,
        seed=args.seed,
        # One line per epoch (Keras' verbose=2), on stderr like the recipe's
        # progress, so that stdout keeps only the result.
        verbose=2 if args.progress else 0,
    )
    if args.reject_threshold is not None:
        model.set_params(reject_threshold=args.reject_threshold)
    with redirect_stdout(sys.stderr):
        model.fit(X, y)
    path = save_model(model, args.output, two_theta=two_theta)
    print(
        f"trained {args.preset} × {args.n_estimators} on {len(y)} patterns; wrote {path}"
    )


def _load(model_path, references="stored"):
    """The model file, or the pretrained one; pooled with its stored references
    unless ``references`` is None."""
    from ..models import load_model, load_pretrained

    if model_path is None:
        return load_pretrained("space-group", references=references)
    return load_model(model_path, references=references)


@exits_cleanly
def evaluate(args):
    """Model + labelled dataset → metrics table, JSON, figures."""
    from ..metrics import format_reports, xrd_report

    model = _load(args.model, None if args.no_references else "stored")
    X, y, _, _ = load_dataset(args.dataset)
    proba = model.predict_proba(X)
    classes = np.asarray(model.classes_)
    report = xrd_report(
        y,
        proba,
        labels=classes,
        reject_threshold=getattr(model, "reject_threshold", None),
    )
    print(format_reports({Path(args.dataset).stem: report}))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
        print(f"wrote {args.json}")
    if args.figures:
        from ..plotting import save_evaluation_figures

        name = Path(args.dataset).stem
        for path in save_evaluation_figures(args.figures, {name: (y, proba, classes)}):
            print(f"wrote {path}")


@exits_cleanly
def predict(args):
    """Model + measured pattern files → top-n space groups per file."""
    from ..io import read_pattern
    from ..preprocessing import XRDResampler, normalize_patterns
    from ..spacegroups import CRYSTAL_SYSTEMS, space_group_symbol

    if args.references and args.no_references:
        raise UserError("give --references FILE or --no-references, not both")
    # The files first: a wrong name fails before the model's seconds of loading.
    patterns = []
    for file in args.files:
        pattern = read_pattern(file)
        wavelength = args.wavelength or pattern.wavelength or "CuKa"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            resampler = XRDResampler(wavelength=wavelength)
            X = resampler.fit_transform(
                [(pattern.two_theta, np.clip(pattern.intensity, 0, None))]
            )
        patterns.append((file, normalize_patterns(X), resampler, caught))
    stored = not (args.references or args.no_references)
    model = _load(args.model, "stored" if stored else None)
    if args.references:
        model, names = _with_references(model, args)
    else:
        names = getattr(model, "skxrd_reference_names_", None)
    matcher = None
    if names is not None:
        matcher = model.named_estimators_["match"]
    results = []
    for file, X, resampler, caught in patterns:
        proba = model.predict_proba(X)[0]
        classes = np.asarray(model.classes_)
        order = np.argsort(proba)[::-1][: args.top]
        system_proba = model.predict_crystal_system_proba(X)[0]
        threshold = getattr(model, "reject_threshold", None)
        certainty = float(proba.max())
        results.append(
            {
                "file": str(file),
                "wavelength": float(resampler.wavelength_),
                "top": [
                    {
                        "space_group": int(classes[i]),
                        "symbol": space_group_symbol(int(classes[i])),
                        "probability": float(proba[i]),
                    }
                    for i in order
                ],
                "crystal_system": CRYSTAL_SYSTEMS[int(np.argmax(system_proba))],
                "crystal_system_probability": float(system_proba.max()),
                "certainty": certainty,
                "reject_threshold": threshold,
                "classified": threshold is None or certainty >= threshold,
                "warnings": [str(w.message) for w in caught],
            }
        )
        if matcher is not None:
            results[-1]["closest_references"] = _closest(matcher, X, names)
    if matcher is None and not args.no_references and _matching_of(model):
        # The model could be pooled but has no references: say how, once.
        figures = " (RRUFF top-1 49.8% against 40.6%)" if args.model is None else ""
        model_option = "" if args.model is None else f" -m {args.model}"
        print(
            f"note: the network alone; 'skxrd references{model_option} -o "
            "pooled.skxrd' builds search-match references from the installed "
            "structures, and 'skxrd predict -m pooled.skxrd' then names more "
            f"measured patterns{figures}",
            file=sys.stderr,
        )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(_format_prediction(r))


def _matching_of(model):
    return getattr(model, "skxrd_metadata_", {}).get("matching")


def _required_matching(model, model_path, advice=""):
    """The model's search-match settings; a `UserError` when it has none."""
    matching = _matching_of(model)
    if not matching:
        raise UserError(
            f"{model_path or 'the pretrained model'} stores no search-match settings "
            f"(skxrd.models.calibrate_matching makes them){advice}"
        )
    return matching


def _with_references(model, args):
    """Pool the model with search-match against the reference dataset files."""
    from ..models import with_references

    matching = _required_matching(model, args.model, "; predict without --references")
    X, y, names = _load_references(args.references)
    return with_references(model, X, y, matching), names


def _load_references(paths):
    """Reference patterns, labels and ``file:name`` names from dataset files.

    Raises `UserError` naming a file whose patterns are not on the standard
    grid.
    """
    grid = two_theta_grid()
    Xs, ys, names = [], [], []
    for path in paths:
        X, y, two_theta, n = load_dataset(path)
        if X.shape[1] != len(grid) or (
            two_theta is not None and not np.allclose(two_theta, grid)
        ):
            raise UserError(
                f"{path}: the references are not on the model's grid "
                f"({len(grid)} points, {grid[0]:g}-{grid[-1]:g}° 2θ); simulate them "
                "with 'skxrd simulate'"
            )
        Xs.append(X)
        ys.append(y)
        names.extend(f"{Path(path).stem}:{name}" for name in n)
    return np.concatenate(Xs), np.concatenate(ys), np.asarray(names)


def _closest(matcher, X, names, n=3):
    from ..spacegroups import space_group_symbol

    distance, index, scale = matcher.kneighbors(X, n, return_scale=True)
    labels = matcher.reference_labels_
    return [
        {
            "name": str(names[i]),
            "space_group": int(labels[i]),
            "symbol": space_group_symbol(int(labels[i])),
            "correlation": float(1 - d),
            "lattice_scale": float(s),
        }
        for d, i, s in zip(distance[0], index[0], scale[0], strict=True)
    ]


def _format_prediction(r):
    decision = (
        "classified"
        if r["classified"]
        else f"unclassified (certainty below {r['reject_threshold']:.2f})"
    )
    lines = [
        f"{r['file']}  (λ = {r['wavelength']:.5f} Å)",
        f"  crystal system: {r['crystal_system']} "
        f"({r['crystal_system_probability']:.1%})",
        f"  certainty: {r['certainty']:.1%} → {decision}",
        "  rank  space group  symbol       probability",
    ]
    for k, t in enumerate(r["top"], 1):
        lines.append(
            f"  {k:>4d}  {t['space_group']:>11d}  {t['symbol']:<11s}  "
            f"{t['probability']:>10.1%}"
        )
    if "closest_references" in r:
        lines.append("  closest references (search-match):")
        lines.extend(
            f"        {c['name']}  {c['symbol']} ({c['space_group']}), "
            f"r = {c['correlation']:.3f}, cell × {c['lattice_scale']:.3f}"
            for c in r["closest_references"]
        )
    lines.extend(f"  warning: {w}" for w in r["warnings"])
    return "\n".join(lines)
