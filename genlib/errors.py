"""Errors that carry one sentence a person can act on.

Everything genlib raises for bad input (unknown model, missing dataset, corrupt checkpoint, out-of-range value)
is a ``GenLabError``; the CLI prints its message alone and the front ends show it as ``gr.Error`` / ``st.error``.
"""


class GenLabError(Exception):
    """A problem with the user's input or environment, described in one readable sentence."""


class DatasetUnavailable(GenLabError):
    """The requested dataset is not present on this machine and could not be fetched."""


class CheckpointError(GenLabError):
    """A checkpoint folder is missing, incomplete or corrupt."""


class TrainingDiverged(GenLabError):
    """A loss became NaN or infinite during training."""
