"""Where GenLab keeps what it builds or fetches: ``$GENLAB_HOME`` (default ``~/.cache/genlab``). A module of its own
so that audio, style and evaluation code can find their files without importing the dataset loaders."""

from __future__ import annotations

import os
from pathlib import Path


def genlab_home() -> Path:
    return Path(os.environ.get("GENLAB_HOME", Path.home() / ".cache" / "genlab"))
