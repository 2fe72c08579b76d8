"""scikit-learn's estimator checks on every public skxrd estimator.

Estimators are found automatically (`skxrd.utils._discovery.all_estimators`),
so a new one is checked without anyone adding it here.  Networks run with tiny,
seeded settings (a few units, one epoch) so that the checks take seconds, not
hours; their expected failures are listed with the reason each cannot pass.
"""

import inspect

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skxrd.utils._discovery import all_estimators

_TINY_DENSE = dict(
    hidden_layer_sizes=(4,),
    dropout=0.0,
    epochs=1,
    batch_size=32,
    run_eagerly=True,
    random_state=0,
)
_TINY_CNN = dict(
    filters=(2,),
    kernel_sizes=(3,),
    strides=(1,),
    pool_sizes=1,
    pool_strides=(1,),
    conv_dropout=0.0,
    hidden_layer_sizes=(4,),
    dropout=0.0,
    epochs=1,
    batch_size=32,
    run_eagerly=True,
    random_state=0,
)
_TINY_RESNET = dict(
    filters=(2, 2),
    stem_kernel=3,
    stem_stride=1,
    kernel_size=3,
    stage_strides=1,
    hidden_layer_sizes=(4,),
    dropout=0.0,
    epochs=1,
    batch_size=32,
    run_eagerly=True,
    random_state=0,
)


def _tiny_settings():
    from sklearn.linear_model import LogisticRegression

    from skxrd.neighbors import PatternMatchClassifier
    from skxrd.neural_network import XRDDenseClassifier

    return {
        "XRDDenseClassifier": _TINY_DENSE,
        "XRDCNNClassifier": _TINY_CNN,
        "XRDResNetClassifier": _TINY_RESNET,
        "XRDEnsembleClassifier": dict(
            estimator=XRDDenseClassifier(**_TINY_DENSE), n_estimators=2, random_state=0
        ),
        "XRDVotingClassifier": dict(
            estimators=[
                ("network", XRDDenseClassifier(**_TINY_DENSE)),
                ("linear", LogisticRegression()),
                ("match", PatternMatchClassifier()),
            ],
            weights=[2, 1, 1],
        ),
    }


# Checks our networks cannot pass, and why.  Shared by every skxrd network and
# by ensembles of them.  (The sparse-data twin of this check is not run: the
# networks refuse sparse input, as their tags say.)
_NETWORK_XFAILS = {
    "check_sample_weight_equivalence_on_dense_data": (
        "stochastic mini-batch training: a weight of 2 and a repeated row give "
        "different batches and dropout draws, so the fits differ"
    ),
}

# The preprocessing steps refuse all-zero patterns (nothing to normalize or
# classify); scikit-learn's dtype check casts its random data to int, which
# zeroes whole rows.
_ZERO_ROW_XFAILS = {
    "check_estimators_dtypes": (
        "casting the check's data to int makes all-zero rows, which skxrd's "
        "pattern checks refuse by design"
    ),
}

# fit_transform augments, transform returns its input: training patterns are
# noisy, prediction patterns are not (like scikit-learn's TargetEncoder).
_AUGMENTER_XFAILS = {
    **_ZERO_ROW_XFAILS,
    "check_transformer_general": (
        "fit_transform augments, transform does not (by design)"
    ),
    "check_transformer_general(readonly_memmap=True)": (
        "fit_transform augments, transform does not (by design)"
    ),
    "check_transformer_data_not_an_array": (
        "fit_transform augments, transform does not (by design)"
    ),
}

EXPECTED_FAILED_CHECKS = {
    "PatternNormalizer": _ZERO_ROW_XFAILS,
    "XRDResampler": _ZERO_ROW_XFAILS,
    "XRDAugmenter": _AUGMENTER_XFAILS,
    "XRDDenseClassifier": _NETWORK_XFAILS,
    "XRDCNNClassifier": _NETWORK_XFAILS,
    "XRDResNetClassifier": _NETWORK_XFAILS,
    "XRDEnsembleClassifier": _NETWORK_XFAILS,
}


def _instances():
    from sklearn.naive_bayes import GaussianNB
    from sklearn.tree import DecisionTreeClassifier

    from skxrd.ensemble import XRDEnsembleClassifier

    tiny = _tiny_settings()
    for name, cls in all_estimators():
        params = dict(tiny.get(name, {}))
        if not params and "random_state" in inspect.signature(cls).parameters:
            params["random_state"] = 0
        yield cls(**params)
    # A mixed ensemble (a list of members), with fast members.
    yield XRDEnsembleClassifier(
        [GaussianNB(), DecisionTreeClassifier(max_depth=3)],
        n_estimators=3,
        random_state=0,
    )
    # Bagged members (each on its own bootstrap resample).
    yield XRDEnsembleClassifier(
        [DecisionTreeClassifier(max_depth=3)],
        n_estimators=3,
        bootstrap=True,
        random_state=0,
    )


def _expected_failed_checks(estimator):
    if getattr(estimator, "bootstrap", False) is True:
        return {
            "check_sample_weight_equivalence_on_dense_data": (
                "bootstrap counts are drawn per row, so a row of weight 2 and "
                "a repeated row are resampled differently (as in BaggingClassifier)"
            )
        }
    if isinstance(getattr(estimator, "estimator", None), list):
        return {}
    return EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {})


@pytest.mark.slow
@parametrize_with_checks(
    list(_instances()), expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
