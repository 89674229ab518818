"""What both front ends show, computed once: menus from the registry, and the Generate action."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from genlib.data import DATASETS, dataset_info
from genlib.errors import GenLabError
from genlib.registry import COUNT, SEED as SEED_PARAM, UI_MAX_COUNT, Param, get_spec, specs
from genlib.serving import generate, live_title, model_choices
from genlib.images import grid
from genlib.gate import HEAVY, LIGHT, gated


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


def ui_params() -> list[Param]:
    """Every generation control any generator declares, once each, in a stable order (Count capped for the UI)."""
    seen: dict[str, Param] = {}
    for spec in specs():
        for p in spec.all_params():
            seen.setdefault(p.name, p)
    seen["n"] = Param(COUNT.name, COUNT.kind, COUNT.default, COUNT.label, 1, UI_MAX_COUNT, 1, help=COUNT.help)
    return list(seen.values())


def declared(model_id: str) -> set[str]:
    return {p.name for p in get_spec(model_id).all_params()}


@dataclass
class Shown:
    image: Image.Image
    caption: str


def run_generate(dataset: str, model_id: str, klass, values: dict) -> Shown:
    """The Generate action of both UIs: validated sampling → a grid and a one-line caption."""
    if not model_id:
        raise GenLabError("Pick a model first.")
    spec = get_spec(model_id)
    params = {k: v for k, v in values.items() if k in declared(model_id)}
    n = params.pop("n", COUNT.default)
    if int(n) > UI_MAX_COUNT:
        raise GenLabError(f"Count must be between 1 and {UI_MAX_COUNT} here; use the CLI for more.")
    seed = params.pop("seed", 0)
    label = None
    if spec.conditional:
        label = class_id(klass)
    lane = HEAVY if spec.family == "diffusion" else LIGHT  # a diffusion grid takes ~1 s, a GAN's a few ms
    with lane.admit(f"generate:{spec.family}"):
        result = generate(model_id, dataset, n=n, seed=seed, labels=label, **params)
    what = "random classes" if spec.conditional and label is None else (
        dataset_info(dataset).class_names[label] if label is not None else "unconditional")
    title = live_title(model_id) if ":" in model_id else spec.title
    caption = (f"{len(result.images)} × {title} on {DATASETS[dataset].title} · {what} · seed {int(seed)} · "
               f"{result.seconds * 1000:.0f} ms")
    return Shown(grid(result.images, scale=4), caption)


# ---------------------------------------------------------------- Compare

COMPARE_N = (100, 250, 500, 1000, 2000)
COMPARE_DEFAULT_N = 500
COMPARE_COLUMNS = (  # (row key, header, format); arrows say which way is better
    ("model", "Model", "{}"), ("domain_fid", "Domain FID ↓", "{:.2f}"), ("domain_kid", "Domain KID ↓", "{:.4f}"),
    ("classifier_score", "Classifier score ↑", "{:.2f}"), ("precision", "Precision ↑", "{:.3f}"),
    ("recall", "Recall ↑", "{:.3f}"), ("class_accuracy", "Class accuracy ↑", "{:.1%}"),
    ("classes_covered", "Classes covered", "{}"), ("inception_fid", "Inception FID ↓ (stored)", "{:.2f}"),
    ("psnr", "Recon PSNR dB ↑", "{:.2f}"), ("ssim", "Recon SSIM ↑", "{:.3f}"), ("parameters", "Parameters", "{:,}"),
    ("ms_per_sample", "ms / sample", "{:.3f}"),
)


@dataclass
class ComparedView:
    grids: list[tuple[Image.Image, str]]  # one (grid, caption) per model
    headers: list[str]
    table: list[list[str]]  # formatted cells, floor row first
    caption: str


def _cell(row: dict, key: str, fmt: str) -> str:
    v = row.get(key)
    if key == "model":
        return "Real data (floor)" if v == "real data (floor)" else get_spec(v).title
    if v is None:
        return "—"
    text = fmt.format(v)
    if key == "inception_fid" and row.get("inception_fid_n"):
        text += f" (N={row['inception_fid_n']})"
    return text


@gated(HEAVY)
def run_compare(dataset: str, models: list[str], klass, seed, n) -> ComparedView:
    """The Compare action of both UIs: grids side by side and one metrics table with the real-data floor."""
    from genlib.evaluation import compare, table_notes

    models = [m for m in (models or []) if m]
    seed = SEED_PARAM.validate(seed)
    try:
        n = int(n)
    except (TypeError, ValueError):
        raise GenLabError(f"N must be a whole number; got {n!r}.") from None
    label = class_id(klass)
    result = compare(models, dataset, n=n, seed=seed, label=label)
    names = dataset_info(dataset).class_names
    grids = []
    for m, images in result.grids.items():
        what = (names[label] if label is not None else "random classes") if get_spec(m).conditional else "unconditional"
        grids.append((grid(images, scale=3), f"{get_spec(m).title} · {what}"))
    table = [[_cell(r, k, f) for k, _, f in COMPARE_COLUMNS] for r in result.rows]
    caption = (f"Metrics on N = {n} class-balanced samples per model (seed {seed}) against {DATASETS[dataset].title} "
               f"reference features (KID: 5 subsets of ≤ 500; reconstructions: 250 real test images); "
               f"the floor row compares {n} real test images with the same reference. "
               f"Computed in {result.seconds:.1f} s. " + " ".join(table_notes(result.rows)))
    return ComparedView(grids, [h for _, h, _ in COMPARE_COLUMNS], table, caption)


def augment_view(dataset: str) -> tuple[list[str], list[list[str]], str]:
    """The shipped data-augmentation results for ``dataset``: headers, rows and a caption (or a message)."""
    from genlib.experiments.augment import load_results, results_table

    result = load_results(dataset)
    if result is None:
        return [], [], (f"No augmentation results for {DATASETS[dataset].title} yet: run "
                        f"`genlib experiment augment --dataset {dataset}`.")
    headers, rows = results_table(result)
    c = result["classifier"]
    caption = (f"A small CNN ({c['channels']} channels, {c['steps']} steps) trained on a few real images per class, "
               f"with or without generated ones; accuracy on all {result['test_images']:,} real test images, "
               f"mean ± std over {result['seeds']} seeds. The generators themselves were trained on the full "
               f"labelled training set, so their samples carry knowledge the small classifier never saw. "
               f"Command: `{result['command']}`.")
    return headers, rows, caption


def unavailable_notice() -> str:
    """Markdown naming every checkpoint on disk that cannot be used, and why ('' when all are whole): both front ends
    show it, and those models are simply not offered — the app starts either way."""
    from genlib import text
    from genlib.registry import unavailable

    rows = [f"{m} on {d}: {why}" for m, d, why in unavailable()] + [f"{m}: {why}" for m, why in text.unavailable()]
    if not rows:
        return ""
    return "**Unavailable models** (their checkpoints are damaged; the rest work):\n" + "\n".join(f"- {r}" for r in rows)
