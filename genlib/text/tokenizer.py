"""A character tokenizer saved with each text model (JSON, no pickles), and the bigram reference model.

Ids: 0 ``<pad>``, 1 ``<bos>`` (starts every example), 2 ``<eos>`` (ends it), 3 ``<unk>``, then the corpus' control
tokens (``<female>``, ``<q>``, …, each one id), then every character seen in training, sorted. **Unknown characters**
(in a prompt or a held-out text) follow one clear rule: Unicode NFKC normalisation first (so "ﬁ" becomes "fi" and
full-width letters become ASCII), then anything still unknown maps to ``<unk>``: the model reads it as "some character
I never saw", bits/char does not score it, and :meth:`CharTokenizer.unknown` lists them so a front end (and
``genlib text-eval``) can say which characters the model has never seen.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from pathlib import Path

import numpy as np

from genlib.errors import GenLabError

SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
PAD, BOS, EOS, UNK = range(4)


class CharTokenizer:
    def __init__(self, chars: list[str], controls: list[str] | tuple[str, ...] = ()):
        self.controls = list(controls)
        self.itos = [*SPECIALS, *self.controls, *chars]
        self.stoi = {s: i for i, s in enumerate(self.itos)}
        if len(self.stoi) != len(self.itos):
            raise GenLabError("The tokenizer's vocabulary has duplicates.")
        pattern = "|".join(re.escape(c) for c in sorted(self.controls, key=len, reverse=True))
        self._split = re.compile(f"({pattern})") if pattern else None

    @classmethod
    def fit(cls, texts, controls=()) -> CharTokenizer:
        chars = set()
        tmp = cls([], controls)
        for t in texts:
            for piece in tmp._pieces(t):
                if piece not in tmp.stoi:
                    chars.add(piece)
        return cls(sorted(chars), controls)

    def __len__(self) -> int:
        return len(self.itos)

    def _pieces(self, text: str) -> list[str]:
        text = unicodedata.normalize("NFKC", text)
        if not self._split:
            return list(text)
        out = []
        for part in self._split.split(text):
            if part in self.controls:
                out.append(part)
            else:
                out += list(part)
        return out

    def encode(self, text: str, bos: bool = True, eos: bool = False) -> list[int]:
        ids = [self.stoi.get(p, UNK) for p in self._pieces(text)]
        return ([BOS] if bos else []) + ids + ([EOS] if eos else [])

    def decode(self, ids) -> str:
        return "".join(self.itos[i] for i in ids if i not in (PAD, BOS, EOS) and 0 <= i < len(self.itos))

    def scored(self, target: int) -> bool:
        """Whether bits/char scores predicting ``target``: known characters and <eos> are; <pad>, <bos>, the control
        tokens (a gender, <q>/<a>: the condition a user gives, not text) and <unk> (a character outside the model's
        alphabet: no model here can spell it, so it is read as context but not scored; :meth:`unknown` lists them)
        are not."""
        return target == EOS or target >= len(SPECIALS) + len(self.controls)

    def unknown(self, text: str) -> list[str]:
        """Characters of ``text`` this tokenizer has never seen (they become <unk>)."""
        return sorted({p for p in self._pieces(text) if p not in self.stoi})

    def to_json(self) -> dict:
        return {"type": "char", "chars": self.itos[len(SPECIALS) + len(self.controls):], "controls": self.controls}

    @classmethod
    def from_json(cls, data: dict) -> CharTokenizer:
        if data.get("type") != "char":
            raise GenLabError("Not a GenLab character tokenizer.")
        return cls(list(data["chars"]), list(data.get("controls", [])))

    def save(self, path) -> None:
        from genlib import hub

        hub.atomic_write_json(Path(path), self.to_json())

    @classmethod
    def load(cls, path) -> CharTokenizer:
        return cls.from_json(json.loads(Path(path).read_text()))


class Bigram:
    """P(next | previous) with add-k smoothing over the tokenizer's vocabulary: the reference every model must beat."""

    def __init__(self, tokenizer: CharTokenizer, k: float = 0.1):
        self.tok, self.k = tokenizer, k
        self.counts = np.zeros((len(tokenizer), len(tokenizer)), np.float64)

    def fit(self, texts) -> Bigram:
        pairs = Counter()
        for t in texts:
            ids = self.tok.encode(t, bos=True, eos=True)
            pairs.update(zip(ids, ids[1:]))
        for (a, b), n in pairs.items():
            self.counts[a, b] += n
        return self

    def log_probs(self) -> np.ndarray:
        c = self.counts + self.k
        c[:, PAD] = 0  # never predicted
        c[:, BOS] = 0
        with np.errstate(divide="ignore"):  # <pad>/<bos> are never next: log 0 = -inf
            return np.log(c / c.sum(1, keepdims=True))

    def bits_per_char(self, texts) -> float:
        """Mean −log2 P over every scored token (the characters and each example's <eos>; see ``scored``)."""
        lp = self.log_probs()
        total, n = 0.0, 0
        for t in texts:
            ids = self.tok.encode(t, bos=True, eos=True)
            pairs = [(a, b) for a, b in zip(ids, ids[1:]) if self.tok.scored(b)]
            total -= sum(lp[a, b] for a, b in pairs)
            n += len(pairs)
        return total / max(n, 1) / math.log(2)
