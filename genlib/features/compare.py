"""Compare: 2–4 models side by side on one dataset, one metrics table with the real-data floor, the collapse
explainer (is a generator dropping classes, or copying its training set?) and the shipped data-augmentation
experiment."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
# the collapse explainer (/collapse, `genlib collapse`)
COLLAPSE_MODEL = menu("model", "Model to examine", help="Any generator of the dataset; GANs are the ones that "
                                                            "collapse.")
COLLAPSE_N = menu("n", "N samples", 500, (100, 250, 500, 1000, 2000))
COLLAPSE = (COLLAPSE_MODEL, SEED, COLLAPSE_N)
COMPARE = (DATASET, MODELS, CLASS_SHOWN, SEED, N)
CONTROLS = (*COMPARE, COLLAPSE_MODEL, COLLAPSE_N)
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


@dataclass
class CollapseView:
    histogram: list[tuple[str, int]]  # (class name, samples read as it), in class order
    table: list[list[str]]  # rows of (figure, this model, real data) — headers COLLAPSE_HEADERS
    pairs: list[tuple[Image.Image, str]]  # each shown sample beside its nearest training image
    caption: str


COLLAPSE_HEADERS = ("", "This model", "Real data (floor)")


def pair_image(sample: np.ndarray, nearest: np.ndarray, scale: int = 3) -> Image.Image:
    """A sample and its nearest training image side by side, a grey gap between."""
    h, w = sample.shape
    canvas = np.full((h, 2 * w + 2), 96, np.uint8)
    canvas[:, :w], canvas[:, w + 2:] = sample, nearest
    return Image.fromarray(canvas, "L").resize((canvas.shape[1] * scale, h * scale), Image.NEAREST)


@gated(HEAVY)
def explain_collapse(dataset: str, model_id: str, seed, n) -> CollapseView:
    """The collapse explainer of both UIs (and `genlib collapse`): which classes the samples fall in, recall against
    the floor, and whether samples are near copies of training images."""
    from genlib.evaluation import collapse_report

    if not model_id:
        raise GenLabError("Pick a model to examine.")
    seed = SEED.validate(seed)
    n = COLLAPSE_N.validate(int(n) if str(n).isdigit() else n)
    r = collapse_report(model_id, dataset, n=n, seed=seed)
    names = dataset_info(dataset).class_names
    k = len(names)
    table = [["Classes covered (≥ half a fair share)", f"{r.covered} of {k}", f"{k} of {k}"],
             ["Recall ↑ (share of the real data's variety it reaches)", f"{r.recall:.3f}", f"{r.floor_recall:.3f}"],
             ["Precision ↑ (share of samples that look real)", f"{r.precision:.3f}", f"{r.floor_precision:.3f}"],
             ["Near copies (nearer a training image than 95 % of real test images)", f"{r.copied:.1%}", "5.0%"]]
    pairs = [(pair_image(s, t), f"distance {d:.3f}" + (" · a near copy" if d < r.copy_threshold else ""))
             for s, t, d in zip(r.samples, r.nearest, r.distances)]
    spec = get_spec(model_id)
    missing = [names[i] for i, c in enumerate(r.counts) if c < 0.5 * n / k]
    caption = (f"{spec.title} on {DATASETS[dataset].title}: {n} samples (seed {seed}"
               f"{', an equal number asked of each class' if spec.conditional else ''}), each read by GenLab's "
               f"domain classifier. "
               + (f"Under half their fair share: {', '.join(missing)} — the model has (nearly) dropped them, which is "
                  f"mode collapse. " if missing else "Every class gets at least half its fair share. ")
               + f"Recall {r.recall:.2f} against the floor's {r.floor_recall:.2f}: "
               + ("far below it, the samples cover only part of the variety of real images. "
                  if r.recall < 0.6 * r.floor_recall else "close enough that the variety is mostly there. ")
               + f"Pairs: a sample | its nearest of the {r.train_size:,} training images (pixel "
                 f"distance, RMS per pixel); a real test image is that near a training image only 5 % of the time "
                 f"(distance < {r.copy_threshold:.3f}). {r.copied:.1%} of the first {len(r.sample_nn)} samples are. "
                 f"Computed in {r.seconds:.1f} s.")
    return CollapseView([(names[i], int(c)) for i, c in enumerate(r.counts)], table, pairs, caption)
