"""Ensembles of classifiers: averaged probabilities and a reject option.

Following Vecsei et al. (2019): ten differently seeded networks, outputs
averaged, and patterns left unclassified when the ensemble is unsure.  Works
with any scikit-learn classifier; TensorFlow is loaded only when the default
member (the paper's dense network) is used.  The threshold for a target
coverage is `skxrd.metrics.threshold_for_coverage`.  `XRDVotingClassifier`
pools different classifiers -- a network and a search-match, say.
"""

from ._ensemble import XRDEnsembleClassifier
from ._voting import XRDVotingClassifier

__all__ = ["XRDEnsembleClassifier", "XRDVotingClassifier"]
