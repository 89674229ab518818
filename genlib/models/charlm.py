"""Character-level language models in the catalogue: a GPT-2 (``transformers``, no hub) and an LSTM, one spec each,
trained per corpus (the corpora are their datasets). Their networks and sampling loop are in
:mod:`genlib.text.models` and their trainer in :mod:`genlib.text.train` (the tokenizer fitted to a corpus sets the
vocabulary, so ``genlib text-train`` builds them, not ``ModelSpec.build``). A text model's preset is its whole recipe
— architecture and training — one per corpus, plus ``tiny`` for tests. Checkpoints live in
``checkpoints/text-<kind>-<corpus>/`` and the front ends call a model ``<kind>-<corpus>`` (``gpt-names``).
"""

from __future__ import annotations

from functools import partial

from genlib.registry import ModelSpec, TrainRecipe, register
from genlib.text import KINDS
from genlib.text.corpora import CORPORA
from genlib.text.models import build

# What the shipped checkpoints were trained with (``genlib text-train KIND --corpus C``); BENCHMARKS.md has the runs.
# The two kinds get about the same number of weights (~0.8 M) and the same steps × batch × window.
RECIPES = {
    "gpt": {
        "names": dict(steps=3000, batch=64, window=64, n_layer=4, n_embd=128, n_head=4, dropout=0.1),
        "fortunes": dict(steps=3000, batch=32, window=128, n_layer=4, n_embd=128, n_head=4, dropout=0.1),
        # ~100,000 characters of dialogue are too few to learn English spelling from: fine-tune the fortunes model
        "chatbot": dict(init_from="gpt-fortunes", steps=1500, batch=32, lr=1e-3, dropout=0.2),
        "tiny": dict(steps=30, batch=8, window=32, eval_every=15, log_every=10, n_layer=1, n_embd=32, n_head=2),
    },
    "lstm": {
        "names": dict(steps=3000, batch=64, window=64, n_embd=64, hidden=256, layers=2, dropout=0.1),
        "fortunes": dict(steps=3000, batch=32, window=128, n_embd=64, hidden=256, layers=2, dropout=0.1),
        "chatbot": dict(init_from="lstm-fortunes", steps=1500, batch=32, window=128, lr=1e-3, dropout=0.2),
        "tiny": dict(steps=30, batch=8, window=32, eval_every=15, log_every=10, n_embd=16, hidden=32, layers=1),
    },
}
FAMILIES = {"gpt": "transformer", "lstm": "rnn"}

for _kind, _family in FAMILIES.items():
    register(ModelSpec(
        id=f"text-{_kind}", title=KINDS[_kind], family=_family, factory=partial(build, _kind), modality="text",
        presets={"default": RECIPES[_kind]["fortunes"], **RECIPES[_kind]},
        recipe=TrainRecipe(batch_size=RECIPES[_kind]["names"]["batch"],
                           steps={c: RECIPES[_kind][c]["steps"] for c in CORPORA}),
        datasets=CORPORA, latent_tools=False,
        description=f"{KINDS[_kind]} trained on one corpus; sampled with temperature, top-k and top-p.",
    ))
