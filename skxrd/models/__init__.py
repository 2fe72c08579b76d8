"""Model files (weights plus JSON, no pickle), the pretrained models, search-match pooling."""

from ._file import FILE_FORMAT, load_model, save_model
from ._matching import calibrate_matching, with_references
from ._pretrained import PRETRAINED_MODELS, load_pretrained

__all__ = [
    "FILE_FORMAT",
    "PRETRAINED_MODELS",
    "calibrate_matching",
    "load_model",
    "load_pretrained",
    "save_model",
    "with_references",
]
