"""Search-match: classify a pattern by the reference patterns it resembles.

The crystallographer's first step with a measured pattern, as a
scikit-learn classifier: compare it with simulated patterns of known
structures, allowing the whole lattice to be a few percent larger or
smaller, and take the space group of the best match.  Combined with a
network (`skxrd.ensemble.XRDVotingClassifier`) it adds what the network
does not remember of the structures it was trained on.
"""

from ._pattern_match import PatternMatchClassifier

__all__ = ["PatternMatchClassifier"]
