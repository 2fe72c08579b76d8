"""The training recipe of the pretrained space-group model."""

import logging
import time
from pathlib import Path

import numpy as np

__all__ = [
    "add_matching",
    "finish_pretrained",
    "pretrained_member",
    "pretrained_recipe",
    "train_from_stream",
    "train_pretrained",
]

logger = logging.getLogger(__name__)


def pretrained_recipe(
    *,
    random_state=0,
    n_jobs=1,
    synthetic_fraction=0.2,
    architecture="mixed",
    class_prior_systems="materials-project",
):
    """The stream and the model of the shipped space-group model.

    The defaults are the shipped model's (two CNNs and a ResNet, the
    Materials Project's crystal systems).  ``architecture="cnn",
    class_prior_systems="collections"`` is the model shipped before it, and
    ``architecture="resnet"`` the ResNet retrain the docs' levers section
    records (not shipped).

    Parameters
    ----------
    random_state : int, default=0
        Seed of the stream and of the networks.
    n_jobs : int, default=1
        Worker processes of the stream.
    synthetic_fraction : float, default=0.2
        Share of batches drawn from random synthetic crystals instead of real
        structures (they help on structure types the collections lack: the
        held-out structures in the docs' levers table).
    architecture : {"cnn", "resnet", "mixed"}, default="mixed"
        The members (`pretrained_member`); ``"mixed"``: two CNNs and one
        ResNet.
    class_prior_systems : {"collections", "materials-project"}, \
default="materials-project"
        Crystal-system frequencies of both streams' space groups
        (`skxrd.engine.space_group_prior`).

    Returns
    -------
    sources : list of (source, weight)
        `StructurePatternSource` over `training_structures` (AFLOW prototypes,
        robocrys minerals and half of the Avogadro/COD CIFs, minus any with
        the formula and group of a held-out structure), each pattern from a
        freshly strained, scaled, displaced and substituted variant,
        space groups drawn with the real-collection class prior
        (`skxrd.engine.space_group_prior`), realistic profiles, backgrounds
        and counting noise; and, if ``synthetic_fraction`` > 0, the synthetic
        stream with the same prior.
    model : XRDEnsembleClassifier
        Three networks (`pretrained_member`) trained with cross-entropy,
        label set fixed to groups 1..230.
    """
    from ..augmentation import XRDAugmenter
    from ..engine import (
        StructurePatternSource,
        SyntheticPatternSource,
        space_group_prior,
    )
    from ..ensemble import XRDEnsembleClassifier

    # The members first: a wrong architecture fails before the structures load.
    if architecture == "mixed":
        # Averaging two of the shipped CNNs with one ResNet of the ResNet
        # retrain (no training; docs/ levers list) kept RRUFF top-1 and
        # raised its crystal system by about 7 points.
        member = [pretrained_member(architecture="cnn")] * 2 + [
            pretrained_member(architecture="resnet")
        ]
    elif architecture in ("cnn", "resnet"):
        member = pretrained_member(architecture=architecture)
    else:
        raise ValueError(
            f"architecture must be 'cnn', 'resnet' or 'mixed', got {architecture!r}"
        )
    augmenter = XRDAugmenter(counts=(1e2, 1e4), background_amplitude=0.15)
    # The collections the structures come from are 1.4% triclinic and 11.8%
    # monoclinic; the Materials Project's systems (7.5% / 26.7%) gave ResNet
    # members +10 points of RRUFF crystal system (docs/ levers table).
    prior = space_group_prior(systems=class_prior_systems)
    real = StructurePatternSource(
        split_structures(n_jobs=n_jobs)[0],
        class_prior=prior,
        # Mild variants: at 1.2e5 patterns, 3% strain and 30% substitution
        # blurred the structure types that measured minerals match (RRUFF top-1
        # 15-16%), 1% / 10% / 0.02 Å kept them (23%); docs/ levers table.
        strain=0.01,
        # Solid solutions expand or shrink a structure type as a whole; 2%
        # kept RRUFF (32.0 / 53.1% top-1 / top-5 against 31.4 / 49.8%) and
        # raised held-out structures (30.2 / 46.4% against 27.8 / 44.8%);
        # 5% gained more on held-out but lost 7 points on RRUFF (levers table).
        lattice_scale=0.02,
        substitution_probability=0.1,
        displacement=0.02,
        batch_size=512,
        augmenter=augmenter,
        n_jobs=n_jobs,
        random_state=random_state,
    )
    sources = [(real, 1.0 - synthetic_fraction)]
    if synthetic_fraction > 0:
        synthetic = SyntheticPatternSource(
            class_prior=prior,
            batch_size=512,
            augmenter=augmenter,
            n_jobs=1,
            random_state=random_state + 1,
        )
        sources.append((synthetic, synthetic_fraction))
    model = XRDEnsembleClassifier(
        member,
        n_estimators=3,
        classes=np.arange(1, 231),
        random_state=random_state,
    )
    return sources, model


def pretrained_member(random_state=None, architecture="cnn"):
    """One network of the shipped ensemble (cross-entropy loss).

    Parameters
    ----------
    random_state : int or None, default=None
    architecture : {"cnn", "resnet"}, default="cnn"
        ``"cnn"``: the shipped member, `XRDCNNClassifier` with filters
        (64, 64, 128) and dense (1024, 512), 2.0 million weights.
        ``"resnet"``: `XRDResNetClassifier`'s defaults, 2.3 million weights
        (three of them need ``weights_dtype="float16"`` to stay under the
        25 MB package budget); it trains about 1.5 times slower per pattern.

    Returns
    -------
    member : XRDCNNClassifier or XRDResNetClassifier
    """
    from ..neural_network import XRDCNNClassifier, XRDResNetClassifier

    if architecture == "resnet":
        # At 1.2e5 patterns with the Materials Project system prior the
        # network alone gained 10.2 / 7.6 points of RRUFF top-1 over the CNN
        # on seeds 0 / 1 (docs/ levers table).
        return XRDResNetClassifier(
            loss="categorical_crossentropy",
            learning_rate=1e-3,
            batch_size=128,
            random_state=random_state,
        )
    if architecture != "cnn":
        raise ValueError(
            f"architecture must be 'cnn' or 'resnet', got {architecture!r}"
        )
    # Twice the filters and units of the first recipe's member: at 1.2e5
    # patterns RRUFF top-1 31.4% against 26.1% for 1.6 times the compute
    # (docs/ levers table); 2.0 million weights, 8 MB per member.
    return XRDCNNClassifier(
        filters=(64, 64, 128),
        kernel_sizes=(50, 25, 12),
        strides=(5, 5, 2),
        conv_dropout=0.1,
        hidden_layer_sizes=(1024, 512),
        dropout=0.3,
        loss="categorical_crossentropy",
        batch_size=128,
        random_state=random_state,
    )


def train_from_stream(
    model,
    sources,
    *,
    minutes=None,
    max_patterns=None,
    replay=True,
    learning_rate_decay="constant",
    decay_start=0.0,
    log_every=20,
):
    """Train with ``partial_fit`` on streams for a wall-clock budget.

    Parameters
    ----------
    model : estimator with ``partial_fit``
        Trained in place.
    sources : list of (source, weight)
        Streams, each chosen for a batch with its weight.
    minutes : float or None, default=None
        Wall-clock budget.
    max_patterns : int or None, default=None
        Pattern budget; training stops at whichever budget is reached first.
    replay : bool, default=True
        Serve batches through `skxrd.engine.BatchReplay` with the workers at
        niceness 19, so that training never waits for data.
    learning_rate_decay : {"constant", "cosine"}, default="constant"
        ``"cosine"`` lowers every network's ``learning_rate`` along half a
        cosine, from its set value at the start to 1% of it when the budget
        (whichever is nearer) is spent; the set values are put back at the end.
    decay_start : float in [0, 1), default=0.0
        Share of the budget trained at the set rate before the cosine
        begins; the cosine then runs over the rest (0.8: the last fifth).
    log_every : int, default=20
        Batches between progress lines (logging, level INFO).

    Returns
    -------
    n_seen, n_fresh : int
        Patterns trained on, and how many of them were fresh.
    """
    from ..engine import BatchReplay

    if minutes is None and max_patterns is None:
        raise ValueError("give minutes or max_patterns: the stream is endless.")
    if learning_rate_decay not in ("constant", "cosine"):
        raise ValueError(
            "learning_rate_decay must be 'constant' or 'cosine', got "
            f"{learning_rate_decay!r}."
        )
    if not 0 <= decay_start < 1:
        raise ValueError(f"decay_start must be in [0, 1), got {decay_start!r}.")
    nice = 19 if replay else 0
    streams = [source.batches(nice=nice) for source, _ in sources]
    weights = [weight for _, weight in sources]
    stream = streams[0] if len(streams) == 1 else interleave(streams, weights, 0)
    if replay:
        stream = BatchReplay(stream, random_state=0)
    classes = np.arange(1, 231)
    start = time.perf_counter()
    seen = 0
    base_rates = None
    try:
        for k, (X, y) in enumerate(stream):
            model.partial_fit(X, y, classes=classes)
            seen += len(y)
            if learning_rate_decay == "cosine":
                if base_rates is None:
                    base_rates = [m.learning_rate for m in _networks(model)]
                spent = _budget_spent(start, seen, minutes, max_patterns)
                factor = _cosine_factor(spent, decay_start)
                for member, rate in zip(_networks(model), base_rates, strict=True):
                    member.set_params(learning_rate=float(rate * factor))
            if (k + 1) % log_every == 0:
                logger.info(
                    "%d patterns (%s fresh) in %.0f s",
                    seen,
                    stream.n_fresh if replay else seen,
                    time.perf_counter() - start,
                )
            if max_patterns is not None and seen >= max_patterns:
                break
            if minutes is not None and time.perf_counter() - start > 60 * minutes:
                break
    finally:
        fresh = stream.n_fresh if replay else seen
        if replay:
            stream.close()
        if base_rates is not None:
            for member, rate in zip(_networks(model), base_rates, strict=True):
                member.set_params(learning_rate=rate)
    return seen, fresh


def _networks(model):
    """The fitted networks of a classifier or of an ensemble of them."""
    return getattr(model, "estimators_", [model])


def _cosine_factor(spent, decay_start):
    """Learning-rate factor at a share of the budget: 1, then half a cosine to 1%."""
    phase = max(spent - decay_start, 0.0) / (1.0 - decay_start)
    return 0.01 + 0.99 * 0.5 * (1 + np.cos(np.pi * min(phase, 1.0)))


def _budget_spent(start, seen, minutes, max_patterns):
    """Share of the training budget used so far (the larger of the two)."""
    shares = []
    if minutes is not None:
        shares.append((time.perf_counter() - start) / (60 * minutes))
    if max_patterns is not None:
        shares.append(seen / max_patterns)
    return max(shares)


def train_pretrained(
    output,
    *,
    minutes=100.0,
    seed=0,
    n_jobs=2,
    synthetic_fraction=0.2,
    calibration_data=None,
    architecture="mixed",
    class_prior_systems="materials-project",
    weights_dtype="float16",
    learning_rate_decay="constant",
    decay_start=0.0,
    bootstrap=False,
):
    """Run the whole recipe of the shipped model and write the model file.

    Parameters
    ----------
    output : str or Path
        Model file to write.
    minutes : float, default=100.0
        Training budget (wall clock).
    seed : int, default=0
    n_jobs : int, default=2
        Worker processes of the stream.
    synthetic_fraction : float, default=0.2
        Share of synthetic-crystal batches.
    calibration_data : str, Path or None, default=None
        A measured ``.npz`` (``intensity``, ``space_group``) used only to fit
        the temperature and the reject threshold (50% coverage), never for
        training.
    architecture : {"cnn", "resnet", "mixed"}, default="mixed"
        The members (`pretrained_member`); ``"mixed"``: two CNNs and one
        ResNet.
    class_prior_systems : {"collections", "materials-project"}, \
default="materials-project"
        Crystal-system frequencies of the streams (`pretrained_recipe`).
    weights_dtype : {"float32", "float16"}, default="float16"
        Precision of the stored weights (`finish_pretrained`); the shipped
        model is 11.8 MB in float16 (rounding the previous CNN ensemble to
        float16 changed none of its RRUFF answers).
    learning_rate_decay : {"constant", "cosine"}, default="constant"
    decay_start : float in [0, 1), default=0.0
        The networks' learning-rate schedule (`train_from_stream`).
    bootstrap : bool, default=False
        Online bagging: every member weights each streamed pattern by its own
        Poisson(1) count (`skxrd.ensemble.XRDEnsembleClassifier`), so that
        members trained on one stream stay apart.  With the late anneal it
        kept the members apart but was not shipped (docs/user_guide/
        pretrained.rst, levers list).

    Returns
    -------
    path : Path
        The model file.
    """
    sources, model = pretrained_recipe(
        random_state=seed,
        n_jobs=n_jobs,
        synthetic_fraction=synthetic_fraction,
        architecture=architecture,
        class_prior_systems=class_prior_systems,
    )
    model.set_params(bootstrap=bootstrap)
    start = time.perf_counter()
    seen, fresh = train_from_stream(
        model,
        sources,
        minutes=minutes,
        learning_rate_decay=learning_rate_decay,
        decay_start=decay_start,
    )
    elapsed = (time.perf_counter() - start) / 60
    logger.info("saw %d patterns (%d fresh) in %.1f min", seen, fresh, elapsed)
    metadata = {
        "recipe": "skxrd.models._recipe.train_pretrained",
        "seed": seed,
        "synthetic_fraction": synthetic_fraction,
        "architecture": architecture,
        # The class prior of both streams (pretrained_recipe), for a
        # label-shift correction that divides by it.
        "class_prior_systems": class_prior_systems,
        "learning_rate_decay": learning_rate_decay,
        "decay_start": decay_start,
        "bootstrap": bootstrap,
        "patterns_seen": seen,
        "fresh_patterns": fresh,
        "minutes": round(elapsed, 1),
    }
    return finish_pretrained(
        model,
        output,
        metadata=metadata,
        calibration_data=calibration_data,
        weights_dtype=weights_dtype,
        n_jobs=n_jobs,
    )


def finish_pretrained(
    model,
    output,
    *,
    metadata=None,
    calibration_data=None,
    weights_dtype="float32",
    n_jobs=2,
):
    """Round, calibrate and write a trained model, then add search-match.

    The weights are first rounded to ``weights_dtype``, so that the
    temperature and the reject threshold are fitted on the network as the
    file will hold it.

    Parameters
    ----------
    model : XRDEnsembleClassifier
        The trained ensemble (its weights are rounded in place).
    output : str or Path
        Model file to write.
    metadata : dict or None, default=None
        What the file records about the training.
    calibration_data : str, Path or None, default=None
        Measured ``.npz`` for the temperature, the reject threshold and, with
        `add_matching`, the pool's; never trained on.
    weights_dtype : {"float32", "float16"}, default="float32"
        Precision of the stored weights (`skxrd.models.save_model`).
    n_jobs : int, default=2
        Parallel jobs of `add_matching`.

    Returns
    -------
    path : Path
        The model file.
    """
    from ._file import save_model
    from ._matching import calibrate_in_place

    for member in _networks(model):
        member.model_.set_weights(
            [
                w.astype(weights_dtype).astype(np.float32)
                for w in member.model_.get_weights()
            ]
        )
    metadata = dict(metadata or {})
    if calibration_data is not None:
        calibrate_in_place(model, *load_measured_set(calibration_data))
        metadata["temperature_from"] = f"log-loss on {Path(calibration_data).name}"
        metadata["reject_threshold_from"] = (
            f"50% coverage on {Path(calibration_data).name}"
        )
    path = save_model(model, output, metadata=metadata, weights_dtype=weights_dtype)
    logger.info(
        "T=%.3f, threshold %s; wrote %s (%s weights)",
        model.temperature,
        model.reject_threshold,
        path,
        weights_dtype,
    )
    if calibration_data is not None:
        add_matching(path, calibration_data, n_jobs=n_jobs)
    return Path(path)


def add_matching(path, calibration_data=None, *, n_jobs=1):
    """Store in a model file how to pool it with search-match.

    The references are `reference_sticks` (the training structures and
    their copies, as ``skxrd references`` stores them in a model file: the
    file written here holds none, so that it may ship), the matcher's weight is
    chosen on `selection_patterns` and the pool's temperature and reject
    threshold on ``calibration_data``
    (`skxrd.models.calibrate_matching`); the network's weights are rewritten
    unchanged.

    Parameters
    ----------
    path : str or Path
        Model file (rewritten in place).
    calibration_data : str, Path or None, default=None
        Measured ``.npz`` for the temperature and the threshold.
    n_jobs : int, default=1
        Parallel jobs of the reference diffraction.

    Returns
    -------
    matching : dict
        What the file now stores under ``matching``.
    """
    from ._file import (
        _decode_references,
        _encode_references,
        _reference_patterns,
        load_model,
        save_model,
    )
    from ._matching import calibrate_matching

    model = load_model(path, references=None)
    training, held_out = split_structures(n_jobs=n_jobs)
    # Calibrated on the references as the file will give them back (positions
    # and intensities rounded), so the stored settings fit what users load.
    X, y, names = _reference_patterns(
        _decode_references(
            _encode_references(reference_sticks(training, n_jobs=n_jobs))
        )
    )
    calibration = None
    if calibration_data is not None:
        calibration = load_measured_set(calibration_data)
    matching = calibrate_matching(
        model,
        (X, y),
        selection_patterns(held_out, training),
        calibration,
        matcher=MATCHER_PARAMS,
    )
    n_copies = sum("~" in name for name in names)
    matching["references"] = (
        f"{len(y)} patterns: {len(y) - n_copies} training structures and "
        f"{n_copies} strained, substituted copies (reference_sticks; "
        "'skxrd references' stores them in a model file)"
    )
    matching["selected_on"] = "held-out and known-type patterns (selection_patterns)"
    if calibration_data is not None:
        matching["calibrated_on"] = Path(calibration_data).name
    metadata = model.skxrd_metadata_
    save_model(
        model,
        path,
        wavelength=metadata["wavelength"],
        metadata=metadata["metadata"],
        matching=matching,
        weights_dtype=metadata.get("weights_dtype", "float32"),
    )
    logger.info(
        "search-match weight %.1f, T=%.3f, threshold %s; wrote %s",
        matching["weight"],
        matching["temperature"],
        matching["reject_threshold"],
        path,
    )
    return matching


def held_out_structures(symprec=0.01, n_jobs=None):
    """Real structures kept out of every training recipe, for testing.

    pymatgen's own structures and half of the Avogadro/COD CIFs: those whose
    reduced formula and space group fall in the held-out half of a fixed
    hash (`_avogadro_half`), so that every copy of one compound lands on the
    same side.  Collections that are not installed are left out.

    Parameters
    ----------
    symprec : float, default=0.01
        Tolerance of the symmetry analysis behind the split.
    n_jobs : int or None, default=None
        Parallel jobs reading the CIF files (joblib; None: one).

    Returns
    -------
    records : list of StructureRecord
    """
    from functools import partial

    avogadro = _load_available(("avogadro",), n_jobs)
    return _held_out_side(avogadro, partial(_identity, symprec=symprec))


def training_structures(exclude=None, symprec=0.01, n_jobs=None):
    """Real structures the recipes may train on.

    The AFLOW prototypes, the robocrys minerals and the half of the
    Avogadro/COD CIFs that `held_out_structures` does not hold.

    Parameters
    ----------
    exclude : list of StructureRecord or None, default=None
        Structures to keep out: any training structure with the same reduced
        formula and space group as one of them is dropped, so that a test on
        ``exclude`` never sees a copy of a training structure.
    symprec : float, default=0.01
        Tolerance of the symmetry analysis used to compare.
    n_jobs : int or None, default=None
        Parallel jobs reading the CIF files (joblib; None: one).

    Returns
    -------
    records : list of StructureRecord

    See Also
    --------
    split_structures : Both sides of the split, each collection read once.
    """
    from functools import cache, partial

    # The split and the exclusion both need each Avogadro record's identity:
    # one symmetry analysis per record (records hash by identity).
    identity = cache(partial(_identity, symprec=symprec))
    avogadro = _load_available(("avogadro",), n_jobs)
    return _training_side(avogadro, exclude, identity, n_jobs)


def split_structures(symprec=0.01, n_jobs=None):
    """The training and the held-out structures, each collection read once.

    The same records, in the same order, as ``held_out_structures()`` and
    ``training_structures(exclude=held_out_structures())``, with the
    Avogadro/COD CIFs parsed and their symmetry analysed once for both sides
    instead of twice.

    Parameters
    ----------
    symprec : float, default=0.01
        Tolerance of the symmetry analysis behind the split and the exclusion.
    n_jobs : int or None, default=None
        Parallel jobs reading the CIF files (joblib; None: one).

    Returns
    -------
    training : list of StructureRecord
        `training_structures` without any structure sharing its formula and
        space group with a held-out one.
    held_out : list of StructureRecord
        `held_out_structures`.
    """
    from functools import cache, partial

    identity = cache(partial(_identity, symprec=symprec))
    avogadro = _load_available(("avogadro",), n_jobs)
    held_out = _held_out_side(avogadro, identity)
    return _training_side(avogadro, held_out, identity, n_jobs), held_out


def _held_out_side(avogadro, identity):
    """pymatgen's structures and the held-out half of ``avogadro``."""
    return _load_available(("pymatgen",)) + _avogadro_half(avogadro, 1, identity)


#: The collections the recipe trains on (the Avogadro/COD CIFs: their
#: training half), whose structures make the search-match references.
TRAINING_SOURCES = ("aflow-prototypes", "robocrys", "avogadro")


def _training_side(avogadro, exclude, identity, n_jobs):
    """AFLOW, robocrys and the training half of ``avogadro``, minus ``exclude``."""
    whole = [source for source in TRAINING_SOURCES if source != "avogadro"]
    records = _load_available(whole, n_jobs)
    records += _avogadro_half(avogadro, 0, identity)
    if not exclude:
        return records
    taken = {key for key in map(identity, exclude) if key}
    # Only a record with a held-out formula can share a held-out (formula,
    # group): the symmetry analysis (about 12 ms a structure) runs on those.
    formulas = {formula for formula, _ in taken}
    return [
        r
        for r in records
        if r.structure.composition.reduced_formula not in formulas
        or identity(r) not in taken
    ]


def _avogadro_half(records, half, identity):
    """The records whose (formula, group) hash to ``half`` (0 or 1).

    ``identity`` maps a record to its (reduced formula, space group), or None
    where the symmetry cannot be analysed; such records count as held out
    (half 1).
    """
    import zlib

    chosen = []
    for record in records:
        key = identity(record)
        side = 1 if key is None else zlib.crc32(f"{key[0]}|{key[1]}".encode()) % 2
        if side == half:
            chosen.append(record)
    return chosen


def _load_available(sources, n_jobs=None):
    """Records of the named structure sources; uninstalled ones are left out.

    ``n_jobs`` parallelises the CIF parsing (pymatgen's symmetry expansion of
    each file is most of the time: about 25 s for the AFLOW prototypes on one
    core).
    """
    import warnings

    from ..structures import load_structures

    records = []
    for source in sources:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                records += list(load_structures(source, n_jobs=n_jobs))
            except (ValueError, ImportError, FileNotFoundError):
                continue
    return records


def load_measured_set(path):
    """Patterns and labels of a measured ``.npz`` set such as ``rruff_dev.npz``.

    Parameters
    ----------
    path : str or Path
        File with ``intensity`` (n, 8500) on the standard grid and
        ``space_group`` (n,).

    Returns
    -------
    X : ndarray of shape (n, 8500)
        Intensities clipped at 0 and scaled to maximum 1.
    y : ndarray of shape (n,)
        Space-group numbers.
    """
    from ..preprocessing import normalize_patterns

    with np.load(path) as data:
        X = normalize_patterns(np.clip(data["intensity"], 0, None))
        y = data["space_group"].astype(int)
    return X, y


def _identity(record, symprec):
    import warnings

    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    structure = record.structure
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            group = SpacegroupAnalyzer(
                structure, symprec=symprec
            ).get_space_group_number()
    except Exception:  # noqa: BLE001 - unanalysable structures match nothing
        return None
    return structure.composition.reduced_formula, group


def held_out_patterns(seed=0, records=None):
    """Patterns of `held_out_structures`, realistic profiles and noise.

    Parameters
    ----------
    seed : int, default=0
        Seed of the profiles and the counting noise.
    records : list of StructureRecord or None, default=None
        The held-out structures when the caller has them already (loading
        them analyses the symmetry of every Avogadro CIF); None loads them.

    Returns
    -------
    X : ndarray of shape (n, 8500)
    y : ndarray of shape (n,)
    """
    import warnings

    from ..augmentation import augment_patterns
    from ..simulation import ProfileSampler, simulate_patterns

    records = held_out_structures() if records is None else records
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X, y, _ = simulate_patterns(
            [r.structure for r in records],
            names=[r.name for r in records],
            profile=ProfileSampler(),
            progress=False,
            random_state=seed,
        )
    X = augment_patterns(X, counts=(1e2, 1e4), renormalize=True, random_state=seed)
    return X, y


#: How the search-match references of the shipped model are made: every
#: training structure plus this many strained, substituted copies
#: (`skxrd.engine.structure_variants`); chosen on the held-out structures'
#: pooled log-loss (docs/user_guide/search_match.rst).
REFERENCE_VARIANTS = {"n_variants": 8, "strain": 0.03, "substitution_probability": 0.5}

#: Parameters of the shipped pool's `skxrd.neighbors.PatternMatchClassifier`
#: that differ from its defaults (none: smoothing 0.04 lowered the held-out
#: log-loss but raised the selection set's and doubled the cost, see
#: docs/user_guide/search_match.rst).
MATCHER_PARAMS = {}


def reference_sticks(
    records=None, n_jobs=1, n_variants=None, random_state=0, **settings
):
    """Peak lists of the search-match references: the structures, then copies.

    Parameters
    ----------
    records : list of StructureRecord or None, default=None
        The structures; None means `training_structures` without the held-out
        ones (what the shipped model trained on, so that the benchmark's
        held-out structures stay unseen by the matcher too).
    n_jobs : int, default=1
        Parallel jobs of the diffraction.
    n_variants : int or None, default=None
        Strained, substituted copies added per structure
        (`skxrd.engine.structure_variants` with `REFERENCE_VARIANTS`); None
        takes the shipped number, 0 none.
    random_state : int, default=0
        Seed of the copies.
    **settings : dict
        Further `skxrd.engine.structure_variants` keywords (``strain``,
        ``substitution_probability``, ``lattice_scale``, ...) in place of
        those of `REFERENCE_VARIANTS`.

    Returns
    -------
    sticks : StickDataset
        The structures' peaks first, then their copies' (named after their
        structure with ``~k``); Cu Kα positions.
    """
    import warnings

    from ..engine._variants import _variant_peaks, variant_names
    from ..simulation import StickDataset, compute_sticks

    if records is None:
        records = split_structures(n_jobs=n_jobs)[0]
    if n_variants is None:
        n_variants = REFERENCE_VARIANTS["n_variants"]
    logger.info("peak lists of %d structures", len(records))
    with warnings.catch_warnings():
        # Structures without scattering factors are skipped, as in training.
        warnings.simplefilter("ignore")
        sticks = compute_sticks(
            [r.structure for r in records],
            names=[r.name for r in records],
            n_jobs=n_jobs,
            progress=False,
        )
        if n_variants > 0:
            logger.info("peak lists of %d copies of each", n_variants)
            settings = {**REFERENCE_VARIANTS, **settings, "n_variants": n_variants}
            peaks, y, index = _variant_peaks(
                records,
                **settings,
                wavelength=sticks.wavelength,
                n_jobs=n_jobs,
                random_state=random_state,
            )
            copies = StickDataset(
                peaks.positions,
                peaks.intensities,
                peaks.offsets,
                y,
                variant_names([r.name for r in records], index),
                wavelength=sticks.wavelength,
            )
            sticks = StickDataset.concatenate([sticks, copies])
    return sticks


def reference_patterns(
    records=None, n_jobs=1, n_variants=None, random_state=0, **settings
):
    """Clean patterns of the training structures and their variants, for search-match.

    Parameters
    ----------
    records, n_jobs, n_variants, random_state, **settings
        As `reference_sticks`.

    Returns
    -------
    X : ndarray of shape (n, 8500)
        Patterns on the standard grid (Gaussian peaks of FWHM 0.076°,
        maximum 1): the structures first, then their copies.  Copies
        without a reflection on the grid are left out.
    y : ndarray of shape (n,)
        Space groups.
    names : ndarray of str of shape (n,)
        Structure names; a copy is named after its structure with ``~k``.
    """
    from ._file import _reference_patterns

    return _reference_patterns(
        reference_sticks(
            records, n_jobs, n_variants, random_state=random_state, **settings
        )
    )


def known_type_patterns(records=None, n_patterns=248, random_state=12345):
    """Patterns of known structure types, as other compounds would give them.

    With `held_out_patterns`, the set the search-match weight is chosen on:
    held-out structures never have their compound among the references, so
    alone they undervalue a matcher that measured minerals often find.  These
    are copies of the training structures (the references' own types) made
    as `skxrd.engine.StructurePatternSource` makes training patterns but
    further off: 3% strain, 5% lattice scale, each element replaced with
    probability 0.5, 0.02 Å displacements; realistic profiles, no noise.

    Parameters
    ----------
    records : list of StructureRecord or None, default=None
        The training structures (None: as `reference_patterns`).
    n_patterns : int, default=248
        Patterns made (as many as the held-out structures give).
    random_state : int, default=12345
        Seed of the stream.

    Returns
    -------
    X : ndarray of shape (n_patterns, 8500)
    y : ndarray of shape (n_patterns,)
    """
    import warnings

    from ..engine import StructurePatternSource

    if records is None:
        records = split_structures()[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = StructurePatternSource(
            records,
            class_prior="prior",
            strain=0.03,
            lattice_scale=0.05,
            substitution_probability=0.5,
            displacement=0.02,
            random_state=random_state,
        )
        return source.take(n_patterns)


def selection_patterns(held_out=None, training=None, held_out_set=None):
    """The patterns the search-match weight is chosen on.

    `held_out_patterns` (structures the references do not hold) and as
    many `known_type_patterns` (types the references hold, other compounds).

    Parameters
    ----------
    held_out, training : list of StructureRecord or None, default=None
        `held_out_structures` and `training_structures` when the caller has
        them (None loads them).
    held_out_set : tuple (X, y) or None, default=None
        The held-out patterns when the caller has them; None simulates
        ``held_out_patterns(0, held_out)``.

    Returns
    -------
    X : ndarray of shape (n, 8500)
    y : ndarray of shape (n,)
    """
    if training is None and held_out is None:
        training, held_out = split_structures()
    if held_out is None and held_out_set is None:
        held_out = held_out_structures()
    if training is None:
        training = training_structures(exclude=held_out)
    if held_out_set is None:
        held_out_set = held_out_patterns(0, held_out)
    X_held, y_held = held_out_set
    X_known, y_known = known_type_patterns(training, n_patterns=len(y_held))
    return np.vstack([X_held, X_known]), np.concatenate([y_held, y_known])


def interleave(streams, weights, random_state=None):
    """Yield batches from several streams, each chosen with a probability.

    Parameters
    ----------
    streams : list of iterators of (X, y)
    weights : array-like of float
        Relative frequency of each stream.
    random_state : int or None, default=None

    Yields
    ------
    X, y
        A batch of the chosen stream.
    """
    rng = np.random.default_rng(random_state)
    p = np.asarray(weights, dtype=float)
    p = p / p.sum()
    iterators = [iter(s) for s in streams]
    while True:
        yield next(iterators[rng.choice(len(iterators), p=p)])
