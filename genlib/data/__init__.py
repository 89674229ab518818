"""Real image datasets as uint8 arrays with fixed, deterministic train/test splits.

``load_dataset("mnist" | "fashion" | "digits", split)`` returns a :class:`Dataset` of ``images`` (N×28×28 uint8) and
``labels`` (N int64). Each catalogue entry names its loader (see :mod:`genlib.data.sources`); no source ever falls back
to synthetic data: when nothing is found the error names exactly what to install.
"""

from genlib.data.datasets import DATASETS, Dataset, DatasetInfo, availability, dataset_info, load_dataset, prepare

__all__ = ["DATASETS", "Dataset", "DatasetInfo", "availability", "dataset_info", "load_dataset", "prepare"]
