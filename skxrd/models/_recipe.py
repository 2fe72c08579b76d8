"""The training recipe of the pretrained space-group model."""

import logging
import time

import numpy as np

__all__ = ["pretrained_recipe", "train_from_stream"]

logger = logging.getLogger(__name__)


def pretrained_recipe(*, random_state=0, n_jobs=1):
    """The stream and the model of the shipped space-group model.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the stream and of the networks.
    n_jobs : int, default=1
        Worker processes of the stream.

    Returns
    -------
    source : SyntheticPatternSource
        Random crystals of all 230 groups, drawn with the real-collection class
        prior, realistic profiles, backgrounds and counting noise.
    model : XRDEnsembleClassifier
        Three small CNNs with the label set fixed to groups 1..230.
    """
    from ..augmentation import XRDAugmenter
    from ..engine import SyntheticPatternSource
    from ..ensemble import XRDEnsembleClassifier
    from ..neural_network import XRDCNNClassifier

    source = SyntheticPatternSource(
        class_prior="prior",
        batch_size=512,
        augmenter=XRDAugmenter(counts=(1e2, 1e4), background_amplitude=0.15),
        n_jobs=n_jobs,
        random_state=random_state,
    )
    member = XRDCNNClassifier(
        filters=(32, 32, 64),
        kernel_sizes=(50, 25, 12),
        strides=(5, 5, 2),
        conv_dropout=0.1,
        hidden_layer_sizes=(512, 256),
        dropout=0.3,
        loss="alternating",
        batch_size=128,
    )
    model = XRDEnsembleClassifier(
        member, n_estimators=3, classes=np.arange(1, 231), random_state=random_state
    )
    return source, model


def train_from_stream(model, source, *, minutes, validation_data, every=20):
    """Train with ``partial_fit`` on a stream for a wall-clock budget.

    Parameters
    ----------
    model : estimator with ``partial_fit``
        Trained in place.
    source : SyntheticPatternSource
        The stream.
    minutes : float
        Budget.
    validation_data : tuple (X, y)
        Scored every ``every`` chunks; the best weights are restored at the end.
    every : int, default=20
        Chunks between validations.

    Returns
    -------
    n_patterns : int
        Patterns seen.
    """
    start = time.perf_counter()
    seen = 0
    for k, (X, y) in enumerate(source.batches()):
        fit_params = (
            {"validation_data": validation_data} if (k + 1) % every == 0 else {}
        )
        model.partial_fit(X, y, classes=source.classes, **fit_params)
        seen += len(y)
        if (k + 1) % every == 0:
            logger.info("%d patterns in %.0f s", seen, time.perf_counter() - start)
        if time.perf_counter() - start > 60 * minutes:
            break
    if hasattr(model, "restore_best_weights"):
        try:
            model.restore_best_weights()
        except Exception as exc:  # noqa: BLE001 - no validation happened yet
            logger.warning("no best weights restored: %s", exc)
    return seen


def held_out_structures():
    """Real structures kept out of every training recipe, for testing.

    The Avogadro/COD CIFs and pymatgen's own structures; collections that
    are not installed are left out.

    Returns
    -------
    records : list of StructureRecord
    """
    import warnings

    from ..structures import load_structures

    records = []
    for source in ("avogadro", "pymatgen"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                records += list(load_structures(source))
            except (ValueError, ImportError, FileNotFoundError):
                continue
    return records


def training_structures(exclude=None, symprec=0.01):
    """Real structures the recipes may train on: AFLOW prototypes and minerals.

    Parameters
    ----------
    exclude : list of StructureRecord or None, default=None
        Structures to keep out: any training structure with the same reduced
        formula and space group as one of them is dropped, so that a test on
        ``exclude`` never sees a copy of a training structure.
    symprec : float, default=0.01
        Tolerance of the symmetry analysis used to compare.

    Returns
    -------
    records : list of StructureRecord
    """
    import warnings

    from ..structures import load_structures

    records = []
    for source in ("aflow-prototypes", "robocrys"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                records += list(load_structures(source))
            except (ValueError, ImportError, FileNotFoundError):
                continue
    if not exclude:
        return records
    taken = {key for key in map(_identity, exclude, [symprec] * len(exclude)) if key}
    return [r for r in records if _identity(r, symprec) not in taken]


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


def held_out_patterns(seed=0):
    """Patterns of `held_out_structures`, realistic profiles and noise.

    Returns
    -------
    X : ndarray of shape (n, 8500)
    y : ndarray of shape (n,)
    """
    import warnings

    from ..augmentation import augment_patterns
    from ..simulation import ProfileSampler, simulate_patterns

    records = held_out_structures()
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
