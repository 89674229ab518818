"""Character-level language models in the catalogue: a GPT-2 (``transformers``, no hub) and an LSTM, one spec each,
trained per corpus (the corpora are their datasets). Their networks and sampling loop are in
:mod:`genlib.text.models`, their training recipes in :mod:`genlib.text.train` (the tokenizer fitted to a corpus sets
the vocabulary, so ``genlib text-train`` builds them); checkpoints live in ``checkpoints/text-<kind>-<corpus>/`` and
the front ends call a model ``<kind>-<corpus>`` (``gpt-names``)."""

from __future__ import annotations

from functools import partial

from genlib.registry import ModelSpec, TrainRecipe, register
from genlib.text import KINDS
from genlib.text.corpora import CORPORA
from genlib.text.models import build
from genlib.text.train import RECIPES, TINY

FAMILIES = {"gpt": "transformer", "lstm": "rnn"}
ARCHITECTURE = ("n_layer", "n_embd", "n_head", "hidden", "layers", "dropout", "window")  # the rest is training


def _architecture(recipe: dict) -> dict:
    return {k: v for k, v in recipe.items() if k in ARCHITECTURE}


for _kind, _family in FAMILIES.items():
    register(ModelSpec(
        id=f"text-{_kind}", title=KINDS[_kind], family=_family, factory=partial(build, _kind), modality="text",
        presets={"default": _architecture(RECIPES[(_kind, "fortunes")]), "tiny": _architecture(TINY[_kind])},
        recipe=TrainRecipe(batch_size=RECIPES[(_kind, "names")]["batch"],
                           steps={c: RECIPES[(_kind, c)]["steps"] for c in CORPORA}),
        datasets=CORPORA, latent_tools=False,
        description=f"{KINDS[_kind]} trained on one corpus; sampled with temperature, top-k and top-p.",
    ))
