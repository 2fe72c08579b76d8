"""The training-data engine: random crystals of all 230 groups streamed as patterns."""

from ._source import SyntheticPatternSource, space_group_prior

__all__ = ["SyntheticPatternSource", "space_group_prior"]
