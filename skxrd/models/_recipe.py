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
