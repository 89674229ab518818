"""Independent readers of conditional samples, of model families unrelated to the CNNs used in training (AC-GAN
discriminator, CVAE critic) and to the shipped CNN classifier: extremely randomised trees and a multi-layer perceptron
on raw pixels (scikit-learn). Prints each reader's accuracy on the real test images and on N class-balanced samples of
each conditional generator.

    python bench/independent_reader.py [--n 2000]
"""

import argparse
import sys
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import machine, table  # noqa: E402

from genlib.data import load_dataset  # noqa: E402
from genlib.evaluation import balanced_samples  # noqa: E402
from genlib.images import to_uint8  # noqa: E402
from genlib.registry import get_spec  # noqa: E402
from genlib.serving import model_choices  # noqa: E402


def main():
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.neural_network import MLPClassifier

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--models", nargs="+", help="default: every shipped conditional generator")
    args = ap.parse_args()
    rows = []
    for ds in ("mnist", "fashion"):
        train, test = load_dataset(ds, "train"), load_dataset(ds, "test")
        x_train = train.images.reshape(len(train.labels), -1) / 255.0
        readers = {"ExtraTrees": ExtraTreesClassifier(n_estimators=200, n_jobs=-1, random_state=0),
                   "MLP": MLPClassifier(hidden_layer_sizes=(256,), max_iter=30, random_state=0)}
        for r in readers.values():
            r.fit(x_train, train.labels)
        sets = [("real test images", test.images, test.labels)]
        for model in args.models or [m for m in model_choices(ds) if get_spec(m).conditional]:
            images, labels, _ = balanced_samples(model, ds, args.n, seed=0)
            sets.append((model, to_uint8(images), labels))
        for name, images, labels in sets:
            x = images.reshape(len(labels), -1) / 255.0
            accs = [f"{(r.predict(x) == labels).mean():.2%}" for r in readers.values()]
            rows.append([ds, name, len(labels), *accs])
            print(rows[-1], file=sys.stderr)
    print(f"Machine: {machine()}\n")
    print(table(["dataset", "images", "N", "ExtraTrees reads the requested class", "MLP reads the requested class"],
                rows))


if __name__ == "__main__":
    main()
