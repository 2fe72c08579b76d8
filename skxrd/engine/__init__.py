"""The training-data engine: random crystals of all 230 groups streamed as patterns.

`SyntheticPatternSource` streams random crystals built from the Wyckoff
tables; `StructurePatternSource` streams real structures, strained and
substituted afresh for every pattern, and `structure_variants` makes a
fixed set of such copies.  All render with the same code.
`symmetry_derivatives` makes distorted relatives of real structures in a
lower crystal system.  `BatchReplay` serves their batches to a training loop without waiting.
"""

from ._derivatives import symmetry_derivatives
from ._replay import BatchReplay
from ._source import SyntheticPatternSource, space_group_prior
from ._structure_source import StructurePatternSource
from ._variants import structure_variants

__all__ = [
    "BatchReplay",
    "StructurePatternSource",
    "SyntheticPatternSource",
    "space_group_prior",
    "structure_variants",
    "symmetry_derivatives",
]
