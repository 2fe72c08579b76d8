"""Utilities shared by skxrd's estimators."""

from ._validation import check_patterns

__all__ = ["check_patterns"]
