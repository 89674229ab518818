"""Training for the character models: windows of the training stream (half starting at an example's start, half
anywhere), AdamW with warm-up and cosine decay, seeded; keeps the weights with the best validation bits/char;
resumable; writes ``config.json`` +
``model.safetensors`` + ``tokenizer.json`` + ``meta.json`` atomically.

Resume: every ``eval_every`` steps the model, optimiser, RNG and the best weights so far go to
``<out>/train_state/step-N/`` through :mod:`genlib.training.state` (safetensors + JSON, written atomically, checked by
SHA-256). ``resume=True`` continues from the newest one. Batches are drawn from a generator seeded by (seed, step), so
a resumed run draws exactly the batches the uninterrupted run would have.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from genlib import hub
from genlib.errors import GenLabError
from genlib.text.corpora import load_corpus
from genlib.text.models import bits_per_char, build
from genlib.text.tokenizer import BOS, EOS, PAD, SPECIALS, Bigram, CharTokenizer
from genlib.training import state as train_state

def recipe(kind: str, corpus: str, preset: str = "default") -> dict:
    """How ``genlib text-train KIND --corpus C`` trains: the catalogue entry's recipe for the corpus
    (:mod:`genlib.models.charlm`), or its ``tiny`` one."""
    from genlib.registry import get_spec

    presets = get_spec(f"text-{kind}").presets
    key = "tiny" if preset == "tiny" else corpus
    if key not in presets:
        raise GenLabError(f"No recipe for {kind} on {corpus}.")
    return dict(presets[key])


def stream_ids(tok: CharTokenizer, texts) -> np.ndarray:
    out = []
    for t in texts:
        out += tok.encode(t, bos=True, eos=True)
    return np.array(out, np.int64)


def split_validation(train_texts, seed: int) -> tuple[list[str], list[str]]:
    """(fit, validation): 5 % of the training examples (at least 50) picked by ``seed`` — never the test split."""
    order = np.random.default_rng(seed).permutation(len(train_texts))
    n_val = max(50, len(train_texts) // 20)
    return [train_texts[i] for i in order[n_val:]], [train_texts[i] for i in order[:n_val]]


def evaluate(model, tok: CharTokenizer, corpus) -> dict:
    """Held-out bits/char of ``model`` and of the bigram reference (fit on the same training split), per corpus and,
    where examples open with a control token (a gender, a kind of name), per control."""
    bigram = Bigram(tok).fit(corpus.train)
    out = {"test_bits_per_char": round(bits_per_char(model, tok, corpus.test), 4),
           "bigram_test_bits_per_char": round(float(bigram.bits_per_char(corpus.test)), 4)}
    groups = {c: [t for t in corpus.test if t.startswith(c)] for c in corpus.controls}
    for c, texts in groups.items():
        if texts and len(texts) < len(corpus.test):
            name = c.strip("<>")
            out[f"test_bits_per_char_{name}"] = round(bits_per_char(model, tok, texts), 4)
            out[f"bigram_test_bits_per_char_{name}"] = round(float(bigram.bits_per_char(texts)), 4)
    return out


def train(kind: str, corpus: str, out: str, steps: int = 2000, batch: int = 32, window: int = 128, lr: float = 3e-3,
          weight_decay: float = 0.1, seed: int = 0, log_every: int = 200, eval_every: int = 250,
          resume: bool = False, device: str | None = None, command: str = "", init_from: str | None = None,
          **config) -> dict:
    """Train ``kind`` ("gpt" or "lstm") on ``corpus`` and save it to ``out``; returns meta.json's dict.

    Keeps the weights with the best bits/char on a validation slice of the training examples (checked every
    ``eval_every`` steps): small corpora are memorised within a few epochs, so the last step is rarely the best.
    ``init_from`` (a text model id or folder of the same kind) fine-tunes that model instead of starting from random
    weights: its architecture is kept, and its alphabet is extended by the corpus' characters."""
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(seed)
    c = load_corpus(corpus)
    tok = CharTokenizer.fit(c.train, c.controls)
    source = None
    if init_from:  # fine-tune: the source's architecture and weights; its alphabet joins the corpus'
        from genlib.text import load as load_text

        src_model, src_tok, src_meta = load_text(init_from)
        if src_model.kind != kind:
            raise GenLabError(f"{init_from} is a {src_model.kind} model, not {kind}.")
        chars = sorted(set(tok.itos[len(SPECIALS) + len(tok.controls):]) | {
            t for t in src_tok.itos[len(SPECIALS) + len(src_tok.controls):]})
        tok = CharTokenizer(chars, c.controls)
        config = {**{k: v for k, v in src_model.config_dict.items() if k != "vocab_size"},
                  **({"dropout": config["dropout"]} if "dropout" in config else {})}  # only dropout may change
        window = config.pop("n_positions", window)
        source = {"model": init_from, "corpus": src_meta.get("corpus"), "command": src_meta.get("command"),
                  "test_bits_per_char": src_meta.get("metrics", {}).get("test_bits_per_char")}
    model = build(kind, len(tok), **({"n_positions": window} if kind == "gpt" else {}), **config)
    if init_from:
        warm_start(model, tok, src_model, src_tok)
    model.to(device)
    fit, val = split_validation(c.train, seed)
    data = torch.from_numpy(stream_ids(tok, fit))
    if len(data) <= window + 1:
        raise GenLabError(f"The {corpus} corpus is shorter than one training window ({window}).")
    # half of every batch starts at an example's <bos> — where generation and evaluation start, so the Transformer
    # sees position 0 as they do —, the other half anywhere (the middles of long examples)
    starts = torch.from_numpy(np.flatnonzero(data.numpy()[:len(data) - window - 1] == BOS))
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0}],
                            lr=lr, betas=(0.9, 0.99))
    folder = Path(out)
    state_root = folder / "train_state"
    step, best, best_step, best_state, elapsed_before = 0, math.inf, 0, None, 0.0
    if resume and (found := train_state.latest_state(state_root)):
        info, best_state = train_state.load_state(found, model, {"adamw": opt})
        if (info.get("kind"), info.get("corpus")) != (kind, corpus):
            raise GenLabError(f"{state_root} holds {info.get('kind')} on {info.get('corpus')}, not {kind} on {corpus}.")
        step, best, best_step = int(info["step"]), float(info["best"]), int(info["best_step"])
        elapsed_before = float(info["wall_time_s"])
        print(f"Resuming {kind}/{corpus} from {found} (step {step}/{steps}).", flush=True)
    start = time.time()
    model.train()
    while step < steps:
        step += 1
        for group in opt.param_groups:
            group["lr"] = lr * 0.5 * (1 + math.cos(math.pi * step / steps)) * min(1.0, step / 100)
        g = torch.Generator().manual_seed(seed * 1_000_003 + step)
        aligned = starts[torch.randint(0, len(starts), (batch // 2,), generator=g)]
        idx = torch.cat([aligned, torch.randint(0, len(data) - window - 1, (batch - batch // 2,), generator=g)])
        x = torch.stack([data[i:i + window] for i in idx]).to(device)
        y = torch.stack([data[i + 1:i + window + 1] for i in idx]).to(device)
        logits = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1), ignore_index=PAD)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % log_every == 0:
            print(f"{kind}/{corpus} step {step}/{steps} loss {loss.item() / math.log(2):.3f} bits "
                  f"({elapsed_before + time.time() - start:.0f} s)", flush=True)
        if step % eval_every == 0 or step == steps:
            v = bits_per_char(model, tok, val)
            model.train()
            if v < best:
                best, best_step = v, step
                best_state = {k: t.detach().clone() for k, t in model.state_dict().items()}
            print(f"{kind}/{corpus} step {step}: validation {v:.4f} bits/char (best {best:.4f} at {best_step})",
                  flush=True)
            # the best weights so far ride in the state's EMA slot
            train_state.save_state(state_root, step, model, {"adamw": opt}, best_state, {
                "kind": kind, "corpus": corpus, "best": best, "best_step": best_step,
                "wall_time_s": elapsed_before + time.time() - start})
    model.load_state_dict(best_state)
    wall = elapsed_before + time.time() - start
    model.to("cpu").eval()
    round_to_half(model)  # what ships (float16 on disk) is what is measured
    metrics = evaluate(model, tok, c)
    metrics["validation_bits_per_char"] = round(bits_per_char(model, tok, val), 4)
    return save(folder, model, tok, {
        "corpus": corpus, "source": c.source, "train_examples": len(c.train), "test_examples": len(c.test),
        "steps": steps, "batch": batch, "window": window, "lr": lr, "weight_decay": weight_decay, "seed": seed,
        "wall_time_s": round(wall, 1), "device": device, "torch": torch.__version__, "best_step": best_step,
        "metrics": metrics, "weights": "float16", "command": command, "init_from": source,
        "special_ids": {"bos": BOS, "eos": EOS, "pad": PAD}})


VOCAB_ROWS = {"net.transformer.wte.weight", "net.lm_head.weight", "embed.weight", "head.weight", "head.bias"}


@torch.no_grad()
def warm_start(model, tok: CharTokenizer, source, source_tok: CharTokenizer) -> None:
    """Copy ``source``'s weights into ``model`` (same architecture): every tensor whole, except the rows of the
    token embedding and output layer, which are copied by token (characters both alphabets share, the specials);
    new tokens keep their fresh initialisation."""
    pairs = [(i, source_tok.stoi[t]) for i, t in enumerate(tok.itos) if t in source_tok.stoi]
    dst_rows, src_rows = torch.tensor([a for a, _ in pairs]), torch.tensor([b for _, b in pairs])
    src = source.state_dict()
    for name, value in model.state_dict().items():
        if name in VOCAB_ROWS:
            value[dst_rows] = src[name][src_rows]
        elif src[name].shape == value.shape:
            value.copy_(src[name])
        else:
            raise GenLabError(f"Cannot fine-tune: {name} has shape {tuple(src[name].shape)} in the source model.")


@torch.no_grad()
def round_to_half(model) -> None:
    """Round every weight to float16 and back: the checkpoints store float16 (half the bytes; the models compute in
    float32 after loading), so the figures in meta.json are measured on exactly the shipped weights."""
    for t in model.state_dict().values():
        if t.is_floating_point():
            t.copy_(t.half().float())


def save(folder: Path, model, tok: CharTokenizer, meta: dict) -> dict:
    """Write the model through :func:`genlib.hub.save_folder` (float16 weights, config, meta with the weights'
    SHA-256) plus ``tokenizer.json``; returns meta as written."""
    state, seen = {}, set()
    for k, v in model.state_dict().items():  # GPT-2 ties lm_head to the token embedding: store it once
        if v.data_ptr() not in seen:
            seen.add(v.data_ptr())
            state[k] = v
    folder.mkdir(parents=True, exist_ok=True)
    tok.save(folder / "tokenizer.json")
    hub.save_folder(folder, {"kind": model.kind, **model.config_dict}, state, meta, dtype=torch.float16)
    return hub.read_json(folder / hub.META)
