"""Training engine: one trainer on ``accelerate`` for every model family (see :mod:`genlib.training.trainer`)."""

from genlib.training.trainer import TrainConfig, train

__all__ = ["TrainConfig", "train"]
