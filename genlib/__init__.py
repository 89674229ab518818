"""GenLab's shared library: datasets, models, training and sampling behind one registry.

    >>> import genlib
    >>> genlib.list_models()                       # (model, dataset) pairs with a checkpoint
    >>> images = genlib.sample("cdcgan", "mnist", n=16, seed=0, labels=7)   # (16, 28, 28) uint8
"""

from genlib.errors import GenLabError
from genlib.serving import (generate, list_models, load, model_choices, sample, sample_grid)

__version__ = "0.1.0"
__all__ = ["GenLabError", "generate", "list_models", "load", "model_choices", "sample", "sample_grid"]
