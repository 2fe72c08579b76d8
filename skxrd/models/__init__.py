"""Model files (weights plus JSON, no pickle) and the pretrained models."""

from ._file import FILE_FORMAT, load_model, save_model
from ._pretrained import PRETRAINED_MODELS, load_pretrained

__all__ = [
    "FILE_FORMAT",
    "PRETRAINED_MODELS",
    "load_model",
    "load_pretrained",
    "save_model",
]
