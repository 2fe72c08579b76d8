"""An ensemble of differently seeded classifiers, with a reject option."""

import inspect
from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    _fit_context,
    clone,
)
from sklearn.utils import check_random_state, get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    has_fit_parameter,
)

from ..metrics import apply_temperature
from ..neural_network._labels import check_labels
from ..utils._validation import fixed_classes, validate_patterns
from ._reject import RejectOptionMixin

__all__ = ["XRDEnsembleClassifier"]

_SEED_LIMIT = np.iinfo(np.int32).max


def _estimator_has(method):
    """Whether the ensemble's members (or its default member) have `method`."""

    def check(self):
        members = getattr(self, "estimators_", None) or self._member_templates()
        return all(hasattr(est, method) for est in members)

    return check


def _seed_all(estimator, random_state):
    """Give every ``*random_state`` parameter of `estimator` its own int seed."""
    seeds = {
        key: int(random_state.randint(_SEED_LIMIT))
        for key in sorted(estimator.get_params(deep=True))
        if key == "random_state" or key.endswith("__random_state")
    }
    if seeds:
        estimator.set_params(**seeds)
    return estimator


class XRDEnsembleClassifier(
    RejectOptionMixin, MetaEstimatorMixin, ClassifierMixin, BaseEstimator
):
    """Average of differently seeded classifiers, with an optional reject label.

    Vecsei et al. [1]_ train ten networks that differ only in their random seed
    and average their outputs.  ``predict_proba`` averages the members'
    probabilities; ``predict`` returns the most probable class, or -- when
    ``reject_threshold`` is set -- a reject label for patterns whose certainty
    (largest averaged probability) falls below it.

    Parameters
    ----------
    estimator : classifier, list of classifiers or None, default=None
        Cloned for each member, with its ``random_state`` (and any nested
        ``*__random_state``) set to a seed drawn from ``random_state``.  Any
        scikit-learn classifier with ``predict_proba`` works, including a
        Pipeline.  A list makes a mixed ensemble: member ``k`` is a clone of
        ``estimator[k % len(estimator)]`` (e.g. two CNNs and a ResNet), and
        ``n_estimators`` must be at least the list's length.  None
        means `skxrd.neural_network.XRDDenseClassifier` with the paper's
        settings.
    n_estimators : int, default=10
        Number of members (the paper's 10).
    classes : array-like of shape (n_classes,) or None, default=None
        Fixed label set, e.g. ``np.arange(1, 231)``: classes absent from the
        training data (a cross-validation fold, say) still get a column of
        ``predict_proba`` (with probability 0).  None uses the labels of ``y``.
        scikit-learn's ``"neg_log_loss"`` scorer infers the labels from the
        test fold and then fails on the extra columns; pass them with
        ``make_scorer(log_loss, response_method="predict_proba",
        greater_is_better=False, labels=classes)``.
    reject_threshold : float in [0, 1] or None, default=None
        Certainty below which ``predict`` returns the reject label (the paper
        uses 0.45).  None never rejects.  Can be changed after fitting, e.g.
        with the value from `skxrd.metrics.threshold_for_coverage`.
    temperature : float > 0, default=1.0
        Temperature scaling of the averaged probabilities,
        :math:`p_i \\propto \\bar y_i^{1/T}`: above 1 softens overconfident
        outputs, so that the certainty is closer to the probability of being
        right.  The ranking of classes, and so top-n accuracy, does not change.
        Fit it on held-out data with `skxrd.metrics.fit_temperature`.
    reject_label : scalar or None, default=None
        Label of rejected patterns; must not be a class.  None picks one that is
        never in ``classes_``: `skxrd.metrics.REJECT_LABEL` (-1) for numeric
        labels such as space groups 1..230 (the smallest class minus 1 if -1 is
        a class), ``"unclassified"`` for string labels.  The skxrd scorers
        (coverage, selective accuracy, subgroup distance) recognise -1 even
        when the ensemble sits inside a Pipeline.
    bootstrap : bool, default=False
        Train each member on its own resample of the data (bagging), so that
        the members differ by more than their seeds.  ``fit`` weights every
        pattern by the number of times a bootstrap sample of the same size
        draws it; ``partial_fit`` by a Poisson(1) count drawn afresh for every
        pattern, member and call -- online bagging [2]_, the streaming
        equivalent.  The counts multiply ``sample_weight``; a pattern drawn zero
        times is not shown to that member.  Members need a ``sample_weight``
        parameter in ``fit`` (and ``partial_fit``).
    random_state : int, RandomState instance or None, default=None
        Source of the members' seeds and of the bootstrap counts.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.
    classes_ : ndarray of shape (n_classes,)
        Class labels (``classes`` when given).
    n_features_in_ : int
        Points per pattern seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the points, when ``X`` has string column names.
    reject_label_ : scalar
        The label ``predict`` gives to rejected patterns.

    See Also
    --------
    skxrd.metrics.threshold_for_coverage : Threshold that gives a target coverage.
    skxrd.metrics.crystal_system_proba : Crystal-system probabilities from
        space-group ones.
    skxrd.neural_network.XRDDenseClassifier : The default member.

    Notes
    -----
    With member probabilities :math:`y^{(m)}`, the ensemble output is
    :math:`\\bar y = M^{-1} \\sum_m y^{(m)}` and its certainty (paper's eq. 13)
    is :math:`\\max_i \\bar y_i`.  With a threshold of 0.45 the paper's dense
    ensemble leaves about half of the RRUFF patterns unclassified and is right
    on 82% of the others.

    References
    ----------
    .. [1] J. Vecsei, K. Choo, J. Chang and T. Neupert, Phys. Rev. B 99, 245120
       (2019).
    .. [2] N. C. Oza and S. Russell, "Online bagging and boosting", Proc.
       Artificial Intelligence and Statistics, 105-112 (2001).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxrd.ensemble import XRDEnsembleClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((60, 5))
    >>> y = np.repeat([14, 62, 225], 20)
    >>> X[:, 0] += 3 * (y == 62) + 6 * (y == 225)
    >>> ens = XRDEnsembleClassifier(LogisticRegression(), n_estimators=3,
    ...                             classes=np.arange(1, 231), reject_threshold=0.9,
    ...                             random_state=0).fit(X, y)
    >>> ens.predict_proba(X).shape
    (60, 230)
    >>> y_pred = ens.predict(X)
    >>> sorted(set(y_pred.tolist())), int((y_pred == -1).sum())  # -1: rejected
    ([-1, 14, 62, 225], 1)
    >>> ens.predict_crystal_system_proba(X[:1]).round(2)
    array([[0.  , 0.96, 0.04, 0.  , 0.  , 0.  , 0.  ]], dtype=float32)
    >>> ens.predict_crystal_system(X[[0, -1]]).tolist()
    ['monoclinic', 'cubic']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"]), list, None],
        "n_estimators": [Interval(Integral, 1, None, closed="left")],
        "classes": ["array-like", None],
        "reject_threshold": [Interval(Real, 0, 1, closed="both"), None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "reject_label": "no_validation",
        "bootstrap": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=10,
        classes=None,
        reject_threshold=None,
        temperature=1.0,
        reject_label=None,
        bootstrap=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.classes = classes
        self.reject_threshold = reject_threshold
        self.temperature = temperature
        self.reject_label = reject_label
        self.bootstrap = bootstrap
        self.random_state = random_state

    def _member_templates(self):
        """The estimators the members are cloned from, in turn."""
        if self.estimator is None:
            from ..neural_network import XRDDenseClassifier

            return [XRDDenseClassifier()]
        if isinstance(self.estimator, list):
            return self.estimator
        return [self.estimator]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        if self.estimator is None:
            # The default member, a paper-sized network, is tagged like our
            # networks.
            tags.classifier_tags.poor_score = True
            tags.non_deterministic = False
            return tags
        # Items that are not estimators are refused, by name, in fit.
        members = [
            get_tags(est)
            for est in self._member_templates()
            if hasattr(est, "__sklearn_tags__")
        ]
        tags.classifier_tags.poor_score = any(
            m.classifier_tags.poor_score for m in members
        )
        tags.non_deterministic = any(m.non_deterministic for m in members)
        return tags

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit ``n_estimators`` clones of the estimator, each with its own seed.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns (converted to float32).
        y : array-like of shape (n_patterns,)
            Labels.
        sample_weight : array-like of shape (n_patterns,), default=None
            Passed to every member's ``fit`` (times its bootstrap counts with
            ``bootstrap=True``).
        **fit_params : dict
            Passed to every member's ``fit`` (e.g. ``validation_data`` for the
            skxrd networks).

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        X, y = self._validate_training_data(X, y, reset=True)
        self.classes_ = fixed_classes(self.classes, y)
        self._check_known_labels(y)
        self.estimators_ = self._make_members()
        weights = self._member_weights(len(y), sample_weight, "fit", reset=True)
        for member, weight in zip(self.estimators_, weights, strict=True):
            if weight is not None:
                fit_params["sample_weight"] = weight
            member.fit(X, y, **fit_params)
        return self

    @available_if(_estimator_has("partial_fit"))
    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y, classes=None, sample_weight=None, **fit_params):
        """Update every member on one chunk of a stream.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            One chunk of patterns.
        y : array-like of shape (n_patterns,)
            Their labels.
        classes : array-like of shape (n_classes,), default=None
            Every label the stream can produce; required on the first call
            unless the ``classes`` parameter is set.
        sample_weight : array-like of shape (n_patterns,), default=None
            Passed to every member (times its Poisson counts with
            ``bootstrap=True``).
        **fit_params : dict
            Passed to every member's ``partial_fit`` (e.g. ``validation_data``).

        Returns
        -------
        self : object
            The updated ensemble.
        """
        if classes is None and not hasattr(self, "classes_"):
            classes = self.classes
        first = _check_partial_fit_first_call(self, classes)
        X, y = self._validate_training_data(X, y, reset=first)
        if first:
            self.classes_ = fixed_classes(self.classes, self.classes_)
            self.estimators_ = self._make_members()
        self._check_known_labels(y)
        weights = self._member_weights(
            len(y), sample_weight, "partial_fit", reset=first
        )
        for member, weight in zip(self.estimators_, weights, strict=True):
            if weight is not None:
                fit_params["sample_weight"] = weight
            member.partial_fit(X, y, classes=self.classes_, **fit_params)
        return self

    def _member_weights(self, n_samples, sample_weight, method, reset):
        """Each member's sample weights: ``sample_weight`` times its counts.

        Without ``bootstrap`` every member gets ``sample_weight`` (possibly
        None).  The counts come from a generator seeded from
        ``random_state`` in ``fit`` and at the first ``partial_fit`` call
        (``reset``), so that a stream's later calls draw different counts.
        """
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, np.empty(n_samples))
        if not self.bootstrap:
            return [sample_weight] * len(self.estimators_)
        if reset or not hasattr(self, "_bootstrap_rng"):
            # Once per fit or stream, not per chunk: the members stay the same.
            for k, member in enumerate(self.estimators_):
                if not has_fit_parameter(member, "sample_weight") or (
                    method == "partial_fit"
                    and "sample_weight"
                    not in inspect.signature(member.partial_fit).parameters
                ):
                    raise ValueError(
                        f"bootstrap=True weights every member's patterns, but "
                        f"member {k} ({type(member).__name__}) takes no "
                        f"sample_weight in {method}."
                    )
            seed = check_random_state(self.random_state).randint(_SEED_LIMIT)
            self._bootstrap_rng = np.random.RandomState(seed)
        rng = self._bootstrap_rng
        weights = []
        for _ in self.estimators_:
            if method == "fit":
                counts = np.bincount(
                    rng.randint(n_samples, size=n_samples), minlength=n_samples
                )
            else:
                counts = rng.poisson(1.0, size=n_samples)
                # A member must see something on every call (its first call
                # sets it up); redrawing an all-zero draw matters only for
                # chunks of a few patterns (probability e^-n).
                while not counts.any():
                    counts = rng.poisson(1.0, size=n_samples)
            counts = counts.astype(np.float64)
            weights.append(counts if sample_weight is None else counts * sample_weight)
        return weights

    @available_if(_estimator_has("restore_best_weights"))
    def restore_best_weights(self):
        """Put back every member's best weights on its validation data.

        Returns
        -------
        self : object
            The ensemble.
        """
        check_is_fitted(self)
        for member in self.estimators_:
            member.restore_best_weights()
        return self

    def _validate_training_data(self, X, y, reset):
        X, y = validate_patterns(
            self,
            X,
            y,
            reset=reset,
            dtype=np.float32,
            allow_negative=True,
            allow_all_zero=True,
        )
        check_labels(y)
        return X, y

    def _check_known_labels(self, y):
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains labels {unknown[:10].tolist()} that are not among the "
                f"ensemble's {len(self.classes_)} classes."
            )

    def _make_members(self):
        templates = self._member_templates()
        if not templates:
            raise ValueError("estimator is an empty list; give at least one.")
        if len(templates) > self.n_estimators:
            raise ValueError(
                f"n_estimators={self.n_estimators} is smaller than the "
                f"{len(templates)} estimators given: some would make no member."
            )
        for k, template in enumerate(templates):
            if not (hasattr(template, "fit") and hasattr(template, "predict_proba")):
                raise ValueError(
                    f"estimator[{k}] ({type(template).__name__}) has no fit and "
                    "predict_proba."
                )
        random_state = check_random_state(self.random_state)
        return [
            _seed_all(clone(templates[k % len(templates)]), random_state)
            for k in range(self.n_estimators)
        ]

    # -------------------------------------------------------------- predict

    def predict_proba(self, X):
        """Average of the members' probabilities, one column per class.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.

        Returns
        -------
        proba : ndarray of shape (n_patterns, n_classes), dtype float32
            Columns in the order of ``classes_``; a class a member never saw has
            probability 0 from that member.
        """
        check_is_fitted(self)
        X = validate_patterns(
            self,
            X,
            reset=False,
            dtype=np.float32,
            allow_negative=True,
            allow_all_zero=True,
        )
        proba = np.zeros((X.shape[0], len(self.classes_)), dtype=np.float32)
        for member in self.estimators_:
            proba[:, self._columns(member)] += member.predict_proba(X)
        proba /= len(self.estimators_)
        if self.temperature != 1.0:
            proba = apply_temperature(proba, self.temperature)
        return proba

    def _columns(self, member):
        columns = np.searchsorted(self.classes_, member.classes_)
        columns = np.minimum(columns, len(self.classes_) - 1)
        if not np.array_equal(self.classes_[columns], member.classes_):
            raise ValueError("A member has classes outside the ensemble's classes_.")
        return columns
