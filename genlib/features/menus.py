"""What every feature's menus offer, read from the catalogue: datasets with a trained generator, their models and
classes; and the controls every image feature shares (dataset, model, class)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from genlib.controls import menu
from genlib.data import DATASETS, dataset_info
from genlib.registry import get_spec
from genlib.serving import model_choices


def download_path(kind: str, suffix: str, prefix: str = "") -> Path:
    """A fresh file under the temp folder ``genlab-<kind>`` for something a front end hands out (walk exports,
    stylised images, speech)."""
    folder = Path(tempfile.gettempdir()) / f"genlab-{kind}"
    folder.mkdir(exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(fd)
    return Path(name)


# what a user reads when something fails that GenLab did not foresee (the traceback goes to the server's log)
UNEXPECTED = ("GenLab hit an unexpected problem and could not finish this request; nothing was changed. Please try "
              "again — if it keeps happening, the server's log has the details.")
RANDOM_CLASS = -1
UI_DATASETS = ("mnist", "fashion")

DATASET = menu("dataset", "Dataset", help="Datasets with at least one trained generator.")
MODEL = menu("model", "Model")
KLASS = menu("klass", "Class", RANDOM_CLASS, help="A class id, or Random (balanced) for conditional models.")


def class_id(klass) -> int | None:
    """A class menu's value → a class id, or None for "Random" / nothing chosen."""
    return None if klass in (None, "", RANDOM_CLASS, str(RANDOM_CLASS)) else int(klass)


def dataset_options() -> list[tuple[str, str]]:
    """(label, id) for datasets that have at least one trained generator."""
    return [(DATASETS[d].title, d) for d in UI_DATASETS if model_choices(d)]


def model_options(dataset: str) -> list[tuple[str, str]]:
    return [(get_spec(m).title, m) for m in model_choices(dataset)]


def class_options(dataset: str) -> list[tuple[str, int]]:
    return [("Random (balanced)", RANDOM_CLASS)] + [
        (f"{i}: {name}" if name != str(i) else name, i) for i, name in enumerate(dataset_info(dataset).class_names)
    ]


def unavailable_notice() -> str:
    """Markdown naming every checkpoint on disk that cannot be used, and why ('' when all are whole): both front ends
    show it, and those models are simply not offered — the app starts either way."""
    from genlib import text
    from genlib.registry import unavailable

    rows = [f"{m} on {d}: {why}" for m, d, why in unavailable()] + [f"{m}: {why}" for m, why in text.unavailable()]
    if not rows:
        return ""
    return "**Unavailable models** (their checkpoints are damaged; the rest work):\n" + "\n".join(f"- {r}" for r in rows)


def credits() -> str:
    """The credits the data's licences require wherever its pictures are shown (Twemoji's CC-BY 4.0): a line both
    front ends print at the foot of every page."""
    seen = dict.fromkeys(info.attribution for info in DATASETS.values() if info.attribution)
    return "Credits: " + " ".join(seen) + " Licences of every dataset, weight file and voice: README." if seen else ""
