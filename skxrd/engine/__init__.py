"""The training-data engine: random crystals of all 230 groups streamed as patterns.

`SyntheticPatternSource` streams random crystals built from the Wyckoff
tables; `StructurePatternSource` streams real structures, strained and
substituted afresh for every pattern.  Both render with the same code.
`BatchReplay` serves their batches to a training loop without waiting.
"""

from ._replay import BatchReplay
from ._source import SyntheticPatternSource, space_group_prior
from ._structure_source import StructurePatternSource

__all__ = [
    "BatchReplay",
    "StructurePatternSource",
    "SyntheticPatternSource",
    "space_group_prior",
]
