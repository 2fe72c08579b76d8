"""Pool the probabilities of different classifiers: a network and a matcher."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context, clone
from sklearn.ensemble._base import _BaseHeterogeneousEnsemble
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..metrics import apply_temperature
from ..neural_network._labels import check_labels
from ..utils._validation import fixed_classes, validate_patterns
from ._reject import RejectOptionMixin

__all__ = ["XRDVotingClassifier"]

# Probability given to a class a member does not know, so that one member's
# silence does not veto a class in the geometric pool.
_FLOOR = 1e-6


class XRDVotingClassifier(
    RejectOptionMixin, ClassifierMixin, _BaseHeterogeneousEnsemble
):
    """Soft vote of different classifiers, geometric or arithmetic, with a reject option.

    Like scikit-learn's ``VotingClassifier`` with ``voting="soft"``, for
    classifiers that see a pattern differently -- a network that learned
    structure types from millions of variants and a search-match against
    reference patterns (`skxrd.neighbors.PatternMatchClassifier`), say.  By
    default the probabilities are pooled geometrically,
    :math:`p \\propto \\prod_k p_k^{w_k}`: a class needs support from every
    member, which suits experts that fail in different ways.  A member
    wrapped in ``sklearn.frozen.FrozenEstimator`` is used as fitted (a
    pretrained network), the others are cloned and fitted on ``X, y``.

    Parameters
    ----------
    estimators : list of (str, estimator)
        Named classifiers with ``predict_proba``; ``"drop"`` leaves one out.
    weights : array-like of shape (n_estimators,) or None, default=None
        Weight of each member (exponents of the geometric pool, mixture
        weights of the arithmetic one); None weighs them equally.
    pooling : {"geometric", "arithmetic"}, default="geometric"
        How to combine the members' probabilities.
    classes : array-like of shape (n_classes,) or None, default=None
        Fixed label set, e.g. ``np.arange(1, 231)``.  None uses the union of
        the members' ``classes_``.
    reject_threshold : float in [0, 1] or None, default=None
        Certainty below which ``predict`` returns the reject label.
    temperature : float > 0, default=1.0
        Temperature scaling of the pooled probabilities.
    reject_label : scalar or None, default=None
        Label of rejected patterns (see `XRDEnsembleClassifier`).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.
    named_estimators_ : Bunch
        The fitted members by name.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Points per pattern seen in ``fit``.

    See Also
    --------
    XRDEnsembleClassifier : Average of differently seeded copies of one
        classifier.
    skxrd.neighbors.PatternMatchClassifier : Search-match against reference
        patterns.
    sklearn.ensemble.VotingClassifier : The arithmetic soft vote.

    Notes
    -----
    With member probabilities :math:`p_k` over the classes and weights
    :math:`w_k`, the geometric pool is
    :math:`p_i \\propto \\prod_k \\max(p_{k,i}, 10^{-6})^{w_k / \\sum w}`
    and the arithmetic one :math:`p_i = \\sum_k w_k p_{k,i} / \\sum_k w_k`;
    then the temperature applies as in `XRDEnsembleClassifier`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from skxrd.ensemble import XRDVotingClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((60, 5))
    >>> y = np.repeat([14, 62, 225], 20)
    >>> X[:, 0] += 3 * (y == 62) + 6 * (y == 225)
    >>> vote = XRDVotingClassifier(
    ...     [("lr", LogisticRegression()), ("nb", GaussianNB())], weights=[2, 1],
    ...     classes=np.arange(1, 231), reject_threshold=0.9).fit(X, y)
    >>> vote.predict_proba(X).shape
    (60, 230)
    >>> vote.predict(X[[0, 25, -1]]).tolist()
    [14, 62, 225]
    >>> vote.predict_crystal_system(X[[0, -1]]).tolist()
    ['monoclinic', 'cubic']
    """

    _parameter_constraints = {
        "estimators": [list],
        "weights": ["array-like", None],
        "pooling": [StrOptions({"geometric", "arithmetic"})],
        "classes": ["array-like", None],
        "reject_threshold": [Interval(Real, 0, 1, closed="both"), None],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "reject_label": "no_validation",
    }

    def __init__(
        self,
        estimators,
        *,
        weights=None,
        pooling="geometric",
        classes=None,
        reject_threshold=None,
        temperature=1.0,
        reject_label=None,
    ):
        super().__init__(estimators=estimators)
        self.weights = weights
        self.pooling = pooling
        self.classes = classes
        self.reject_threshold = reject_threshold
        self.temperature = temperature
        self.reject_label = reject_label

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit every member that is not frozen on ``X, y``.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.
        y : array-like of shape (n_patterns,)
            Labels.
        **fit_params : dict
            Passed to every member's ``fit``.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        names, members = self._validate_estimators()
        self._member_weights()
        X, y = validate_patterns(self, X, y, allow_negative=True, allow_all_zero=True)
        check_labels(y)
        kept = [i for i, m in enumerate(members) if m != "drop"]
        self.estimators_ = [clone(members[i]).fit(X, y, **fit_params) for i in kept]
        self.named_estimators_ = Bunch(
            **{names[i]: e for i, e in zip(kept, self.estimators_, strict=True)}
        )
        known = np.concatenate([m.classes_ for m in self.estimators_] + [y])
        self.classes_ = fixed_classes(
            self.classes, known, whose=" of the members or of y"
        )
        return self

    def _member_weights(self):
        """Normalised weights of the members that are not dropped.

        Read from ``weights`` at each call, so that ``set_params(weights=...)``
        on a fitted pool takes effect without refitting.
        """
        members = [m for _, m in self.estimators]
        weights = np.ones(len(members)) if self.weights is None else self.weights
        if len(weights) != len(members):
            raise ValueError(
                f"Number of weights ({len(weights)}) does not match the "
                f"number of estimators ({len(members)})."
            )
        kept = [m != "drop" for m in members]
        weights = np.asarray(weights, dtype=float)[kept]
        if np.any(weights < 0) or weights.sum() <= 0:
            raise ValueError(
                f"weights must be non-negative with a positive sum; got {weights.tolist()}."
            )
        return weights / weights.sum()

    def predict_proba(self, X):
        """Pooled probabilities of the members, one column per class.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.

        Returns
        -------
        proba : ndarray of shape (n_patterns, n_classes), dtype float32
            Columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        X = validate_patterns(
            self, X, reset=False, allow_negative=True, allow_all_zero=True
        )
        pooled = self._pool(self._member_probas(X), self._member_weights())
        if self.temperature != 1.0:
            pooled = apply_temperature(pooled, self.temperature)
        return pooled.astype(np.float32)

    def _member_probas(self, X):
        """Each member's probabilities on the columns of ``classes_``.

        A class a member does not know gets the geometric pool's floor (or 0
        when pooling arithmetically).
        """
        floor = _FLOOR if self.pooling == "geometric" else 0.0
        probas = []
        for member in self.estimators_:
            proba = np.full((len(X), len(self.classes_)), floor)
            columns = np.searchsorted(self.classes_, member.classes_)
            proba[:, columns] = np.maximum(member.predict_proba(X), floor)
            probas.append(proba)
        return probas

    def _pool(self, probas, weights):
        """Pool member probabilities (from `_member_probas`) with ``weights``.

        No temperature; float64 rows summing to 1.  Separate from
        `predict_proba` so that several weightings can be scored on one
        prediction of the members.
        """
        geometric = self.pooling == "geometric"
        pooled = np.zeros_like(probas[0])
        for weight, proba in zip(weights, probas, strict=True):
            pooled += weight * (np.log(proba) if geometric else proba)
        if geometric:
            pooled = np.exp(pooled - pooled.max(axis=1, keepdims=True))
        return pooled / pooled.sum(axis=1, keepdims=True)
