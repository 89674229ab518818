"""Compare: 2–4 models side by side on one dataset, one metrics table with the real-data floor, and the shipped
data-augmentation experiment."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image

from genlib.controls import Control, menu
from genlib.data import DATASETS, dataset_info
from genlib.errors import GenLabError
from genlib.features.menus import DATASET, KLASS, class_id
from genlib.gate import HEAVY, gated
from genlib.images import grid
from genlib.registry import SEED, get_spec

MODELS = Control("models", "choice", (), "Models (2–4)", help="Two to four generators of the dataset.")
CLASS_SHOWN = KLASS.but(label="Class shown (conditional models)")
N = menu("n", "N samples for the metrics", 500, (100, 250, 500, 1000, 2000))
CONTROLS = (DATASET, MODELS, CLASS_SHOWN, SEED, N)
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
    seed = SEED.validate(seed)
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
