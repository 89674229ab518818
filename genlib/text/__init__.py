"""Text generation: character-level Transformer (``transformers``' GPT-2, no hub) and LSTM language models trained on
corpora that ship in packages, with a bigram reference.

What the front ends and the CLI call:

* :func:`shipped` — the text models on disk (``checkpoints/text-<kind>-<corpus>/``) with their stored metrics.
* :func:`generate` — a seeded stream of :class:`~genlib.text.models.Step` (one per character; each can carry the
  top-10 next-character probabilities), with temperature, top-k, top-p and a length limit.
* :func:`name` / :func:`reply` — conditional generation: a first name by gender (or a surname) through a control
  token; a chatbot's answer to a question.
* :func:`score` — bits per character of any text under a model (``genlib text-eval``).
* :func:`novelty` — the share of generated names that are not in the training list.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from genlib.errors import GenLabError
from genlib.text.corpora import CORPORA, load_corpus
from genlib.text.models import Step, bits_per_char, stream
from genlib.text.tokenizer import UNK

KINDS = {"gpt": "Transformer (GPT-2, character level)", "lstm": "LSTM (character level)"}
GENDERS = {"female": "<female>", "male": "<male>", "surname": "<last>"}
MAX_PROMPT = 20_000  # characters; longer prompts are refused (the model only reads its last window anyway)

__all__ = ["CORPORA", "GENDERS", "KINDS", "Step", "generate", "load", "name", "novelty", "reply", "resolve", "score",
           "shipped"]


def model_id(kind: str, corpus: str) -> str:
    """What the front ends call the model of catalogue id ``text-<kind>`` trained on ``corpus``: ``<kind>-<corpus>``."""
    return f"{kind}-{corpus}"


def _kind(catalogue_id: str) -> str:
    return catalogue_id.removeprefix("text-")


def resolve(model: str) -> Path:
    """``gpt-names``-style id (searched in $GENLAB_CHECKPOINTS, then ``checkpoints/``) or a folder path."""
    from genlib.registry import checkpoint_dir

    path = Path(model)
    if (path / "config.json").is_file():
        return path
    kind, _, corpus = str(model).partition("-")
    if kind in KINDS and corpus in CORPORA and (found := checkpoint_dir(f"text-{kind}", corpus)):
        return found
    ids = ", ".join(m["id"] for m in shipped()) or "none on disk"
    raise GenLabError(f"Unknown text model '{model}'; choose one of: {ids} (or give a model folder).")


def unavailable() -> list[tuple[str, str]]:
    """(model id, reason) for every text checkpoint folder on disk that cannot be used."""
    from genlib.registry import unavailable as broken

    return [(model_id(_kind(m), c), why) for m, c, why in broken(modality="text")]


def shipped() -> list[dict]:
    """Every usable text model on disk (damaged ones: :func:`unavailable`): id, kind, corpus, title, folder and
    stored metrics."""
    from genlib import hub
    from genlib.registry import available

    rows = []
    for spec, corpus, folder in sorted(available(modality="text"), key=lambda r: (CORPORA.index(r[1]), r[0].id)):
        try:
            meta = hub.read_json(folder / "meta.json")
        except GenLabError:
            meta = {}
        kind = _kind(spec.id)
        rows.append({"id": model_id(kind, corpus), "kind": kind, "corpus": corpus, "folder": str(folder),
                     "title": f"{spec.title} · {corpus}", "metrics": meta.get("metrics", {})})
    return rows


@lru_cache(maxsize=16)
def _load(folder: str):
    from genlib.text.models import load as load_folder

    return load_folder(folder)


def load(model: str):
    """(model, tokenizer, meta) for an id or folder; cached per process."""
    return _load(str(resolve(model).resolve()))


def _check_prompt(prompt: str) -> str:
    if not isinstance(prompt, str):
        raise GenLabError("The prompt must be text.")
    if len(prompt) > MAX_PROMPT:
        raise GenLabError(f"The prompt is {len(prompt):,} characters; the limit is {MAX_PROMPT:,}.")
    return prompt


def unknown_note(model: str, text: str) -> str:
    """One sentence naming the characters of ``text`` the model has never seen ('' when there are none)."""
    _, tok, _ = load(model)
    unknown = tok.unknown(text)
    if not unknown:
        return ""
    shown = " ".join(repr(c) for c in unknown[:12]) + (" …" if len(unknown) > 12 else "")
    return (f"{len(unknown)} character(s) of the prompt are outside this model's alphabet and are read as <unk> "
            f"(\"a character I never saw\"): {shown}.")


def generate(model: str, prompt: str = "", length: int = 200, temperature: float = 0.8, top_k: int = 0,
             top_p: float = 1.0, seed: int = 0, explain: bool = False, stop_at_eos: bool = True) -> Iterator[Step]:
    """Stream characters after ``prompt`` (seeded: the same arguments give the same text on the same machine).

    A prompt longer than the Transformer's context is read through its last window (never an IndexError); control
    tokens may be written literally (``<female>``, ``<q>…<a>``)."""
    net, tok, _ = load(model)
    return stream(net, tok, _check_prompt(prompt), length=length, temperature=temperature, top_k=top_k, top_p=top_p,
                  seed=seed, stop_at_eos=stop_at_eos, explain=explain)


def _corpus_of(model: str) -> str:
    return load(model)[2].get("corpus", "")


def name(model: str, gender: str = "female", prefix: str = "", temperature: float = 0.8, top_k: int = 0,
         top_p: float = 1.0, seed: int = 0, explain: bool = False) -> Iterator[Step]:
    """A first name of ``gender`` ("female", "male") or a surname ("surname"), optionally starting with ``prefix``;
    the stream's text includes the prefix."""
    if _corpus_of(model) != "names":
        raise GenLabError("Names come from a model trained on the names corpus (gpt-names or lstm-names).")
    if gender not in GENDERS:
        raise GenLabError(f"Choose a gender: {', '.join(GENDERS)}; got '{gender}'.")
    prefix = _check_prompt(prefix).strip()[:30].capitalize()
    for step in generate(model, GENDERS[gender] + prefix, length=40, temperature=temperature, top_k=top_k,
                         top_p=top_p, seed=seed, explain=explain):
        yield Step(step.char, prefix + step.text, step.top)


def reply(model: str, question: str, temperature: float = 0.6, top_k: int = 0, top_p: float = 0.95, seed: int = 0,
          length: int = 300, explain: bool = False) -> Iterator[Step]:
    """The chatbot's answer to ``question`` (the model continues ``<q>question<a>`` until it ends the example)."""
    if _corpus_of(model) != "chatbot":
        raise GenLabError("Replies come from a model trained on the dialogue corpus (gpt-chatbot or lstm-chatbot).")
    question = " ".join(_check_prompt(question).split())
    if not question:
        raise GenLabError("Ask the chatbot something first.")
    return generate(model, f"<q>{question}<a>", length=length, temperature=temperature, top_k=top_k, top_p=top_p,
                    seed=seed, explain=explain)


def last(steps: Iterator[Step]) -> str:
    """The finished text of a stream."""
    text = ""
    for step in steps:
        text = step.text
    return text


@dataclass
class Scored:
    bits_per_char: float
    examples: int
    characters: int
    unknown: list[str]  # distinct characters outside the model's alphabet (read as <unk>, not scored)
    unknown_count: int
    seconds: float


def split_examples(text: str, mode: str) -> list[str]:
    """``line``: one example per non-empty line; ``paragraph``: examples separated by blank lines or a line holding
    only ``%`` (the fortune file format); ``whole``: the file is one example."""
    if mode == "line":
        return [t.strip() for t in text.splitlines() if t.strip()]
    if mode == "paragraph":
        blocks, current = [], []
        for line in text.splitlines():
            if line.strip() in ("", "%"):
                if current:
                    blocks.append("\n".join(current).strip())
                current = []
            else:
                current.append(line)
        if current:
            blocks.append("\n".join(current).strip())
        return [b for b in blocks if b]
    if mode == "whole":
        return [text.strip()] if text.strip() else []
    raise GenLabError(f"Split must be line, paragraph or whole; got '{mode}'.")


DEFAULT_SPLIT = {"names": "line", "chatbot": "line", "fortunes": "paragraph"}


def score(model: str, text: str, split: str | None = None, prefix: str = "") -> Scored:
    """Bits per character of ``text`` under ``model``: the text is cut into examples (``split``; by default as the
    model's corpus is: names and dialogue one per line, fortunes by paragraph), each read as ``<bos>prefix+example
    <eos>``; every known character and each <eos> is scored, characters outside the alphabet are not (they are
    counted in ``unknown``)."""
    net, tok, meta = load(model)
    split = split or DEFAULT_SPLIT.get(meta.get("corpus"), "whole")
    examples = [prefix + e for e in split_examples(text, split)]
    if not examples:
        raise GenLabError("The text is empty: nothing to score.")
    t0 = time.perf_counter()
    bits = bits_per_char(net, tok, examples)
    if not math.isfinite(bits):
        raise GenLabError("The text has no character this model knows.")
    unknown = sorted({c for e in examples for c in tok.unknown(e)})
    count = sum(tok.encode(e, bos=False).count(UNK) for e in examples)
    return Scored(bits, len(examples), sum(len(e) for e in examples), unknown, count, time.perf_counter() - t0)


@lru_cache(maxsize=1)
def training_names() -> frozenset[str]:
    """Every name in the names corpus' training split (any kind): what "new" is measured against."""
    return frozenset(t.split(">", 1)[1] for t in load_corpus("names").train)


def novelty(model: str, n: int = 500, temperature: float = 1.0, seed: int = 0) -> dict:
    """Generate ``n`` first names (alternately female and male; seeds seed … seed+n-1) and count how many are new:
    not any name of the training split — of either gender, nor a surname (the strictest reading)."""
    known = training_names()
    new, old = [], []
    for i in range(n):
        text = last(name(model, ("female", "male")[i % 2], temperature=temperature, seed=seed + i))
        (old if text in known else new).append(text)
    return {"generated": n, "novel": len(new), "novelty": round(len(new) / n, 4), "temperature": temperature,
            "distinct": len(set(new) | set(old)), "examples_new": new[:12], "examples_known": old[:12]}
