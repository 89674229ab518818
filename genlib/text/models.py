"""Character-level language models: a GPT-2 built from ``transformers``' ``GPT2Config`` (no hub) and an LSTM (the
seed's RNN), with one sampling loop for both.

Sampling: prompt → ids (``<bos>`` first); each step takes the last position's logits, divides by the temperature,
keeps the top-k and then the smallest set whose probability reaches top-p, and draws from a seeded ``torch.Generator``.
The Transformer's context is ``n_positions``: a prompt longer than that is read through its last ``n_positions`` ids,
and when generation fills the window the model restarts from its last half (nothing ever indexes past the position
table), so a 10,000-character prompt works. Every step can report the top-10 next characters and their probabilities.
When an example ends (``<eos>``) the stream stops, or — with ``stop_at_eos=False`` — writes a blank line and starts
the next example, as the training stream does.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from genlib.errors import GenLabError
from genlib.text.tokenizer import BOS, EOS, PAD, SPECIALS, UNK, CharTokenizer

_IMPORT = threading.Lock()


def _gpt2():
    """transformers' GPT-2 classes, imported once under a lock: its lazy module is not safe to import from two
    threads at once (two Gradio workers loading models saw "cannot import name 'GPT2Config'")."""
    with _IMPORT:
        from transformers import GPT2Config, GPT2LMHeadModel

    return GPT2Config, GPT2LMHeadModel


class CharGPT(nn.Module):
    kind = "gpt"

    def __init__(self, vocab_size: int, n_positions: int = 128, n_embd: int = 128, n_layer: int = 4,
                 n_head: int = 4, dropout: float = 0.1):
        super().__init__()
        GPT2Config, GPT2LMHeadModel = _gpt2()

        self.config_dict = {"vocab_size": vocab_size, "n_positions": n_positions, "n_embd": n_embd,
                            "n_layer": n_layer, "n_head": n_head, "dropout": dropout}
        cfg = GPT2Config(vocab_size=vocab_size, n_positions=n_positions, n_embd=n_embd, n_layer=n_layer,
                         n_head=n_head, resid_pdrop=dropout, embd_pdrop=dropout, attn_pdrop=dropout,
                         bos_token_id=BOS, eos_token_id=EOS, pad_token_id=PAD)
        self.net = GPT2LMHeadModel(cfg)
        self.context = n_positions

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.net(input_ids=ids[:, -self.context:]).logits


class CharLSTM(nn.Module):
    kind = "lstm"

    def __init__(self, vocab_size: int, n_embd: int = 128, hidden: int = 384, layers: int = 2, dropout: float = 0.1):
        super().__init__()
        self.config_dict = {"vocab_size": vocab_size, "n_embd": n_embd, "hidden": hidden, "layers": layers,
                            "dropout": dropout}
        self.embed = nn.Embedding(vocab_size, n_embd)
        self.rnn = nn.LSTM(n_embd, hidden, layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.head = nn.Linear(hidden, vocab_size)
        self.context = None  # unbounded: the state carries everything

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.rnn(self.embed(ids))
        return self.head(out)


MODELS = {"gpt": CharGPT, "lstm": CharLSTM}


def build(kind: str, vocab_size: int, **config) -> nn.Module:
    if kind not in MODELS:
        raise GenLabError(f"Unknown text model '{kind}'; choose one of: {', '.join(MODELS)}.")
    return MODELS[kind](vocab_size=vocab_size, **config)


class GPTDecoder:
    """Incremental decoding of a :class:`CharGPT` with a preallocated key/value cache: the same arithmetic as
    ``GPT2LMHeadModel`` (pre-norm blocks, tanh-GELU, 1/sqrt(d) attention; checked equal to its logits in the tests)
    without its per-call bookkeeping (cache objects, mask building), which at one character per call dominates the
    time on a CPU: ~3× the characters per second of ``net(..., cache=...)``."""

    def __init__(self, model: CharGPT):
        net = model.net
        cfg = net.config
        self.blocks, self.ln_f = net.transformer.h, net.transformer.ln_f
        self.wte, self.wpe, self.head = net.transformer.wte.weight, net.transformer.wpe.weight, net.lm_head.weight
        self.n_head, self.width, self.context = cfg.n_head, cfg.n_embd, cfg.n_positions
        if cfg.activation_function != "gelu_new" or not cfg.scale_attn_weights or cfg.scale_attn_by_inverse_layer_idx:
            raise GenLabError("GPTDecoder supports GPT-2's default attention and activation only.")
        shape = (len(self.blocks), self.n_head, self.context, self.width // self.n_head)
        self.keys, self.values = torch.zeros(shape), torch.zeros(shape)
        self.pos = 0

    def room(self) -> int:
        return self.context - self.pos

    def reset(self) -> None:
        self.pos = 0

    @torch.no_grad()
    def feed(self, ids: list[int]) -> torch.Tensor:
        """Read ``ids`` after what the cache holds; returns the next-token logits after the last one."""
        n, start, width, heads = len(ids), self.pos, self.width, self.n_head
        if n < 1 or start + n > self.context:
            raise GenLabError("GPTDecoder: the ids do not fit the context.")
        end = start + n
        x = self.wte[ids] + self.wpe[start:end]
        mask = None if n == 1 else torch.ones(n, end, dtype=torch.bool).tril(diagonal=start)
        for i, blk in enumerate(self.blocks):
            h = F.layer_norm(x, (width,), blk.ln_1.weight, blk.ln_1.bias, blk.ln_1.eps)
            q, k, v = torch.addmm(blk.attn.c_attn.bias, h, blk.attn.c_attn.weight).split(width, -1)
            q, k, v = (t.view(n, heads, -1).transpose(0, 1) for t in (q, k, v))
            self.keys[i, :, start:end], self.values[i, :, start:end] = k, v
            a = F.scaled_dot_product_attention(q, self.keys[i, :, :end], self.values[i, :, :end], attn_mask=mask)
            x = x + torch.addmm(blk.attn.c_proj.bias, a.transpose(0, 1).reshape(n, width), blk.attn.c_proj.weight)
            h = F.layer_norm(x, (width,), blk.ln_2.weight, blk.ln_2.bias, blk.ln_2.eps)
            h = F.gelu(torch.addmm(blk.mlp.c_fc.bias, h, blk.mlp.c_fc.weight), approximate="tanh")
            x = x + torch.addmm(blk.mlp.c_proj.bias, h, blk.mlp.c_proj.weight)
        self.pos = end
        return F.layer_norm(x[-1], (width,), self.ln_f.weight, self.ln_f.bias, self.ln_f.eps) @ self.head.T


@dataclass
class Step:
    char: str
    text: str  # everything generated so far
    top: list[tuple[str, float]]  # the 10 likeliest next characters at this step, with probabilities


def _filter(logits: torch.Tensor, temperature: float, top_k: int, top_p: float) -> torch.Tensor:
    if temperature <= 0:
        out = torch.full_like(logits, -math.inf)
        out[logits.argmax()] = 0.0
        return out
    logits = logits / temperature
    if top_k and top_k < logits.numel():
        kth = torch.topk(logits, top_k).values[-1]
        logits = logits.masked_fill(logits < kth, -math.inf)
    if 0 < top_p < 1:
        sorted_logits, order = torch.sort(logits, descending=True)
        cum = torch.softmax(sorted_logits, 0).cumsum(0)
        drop = cum - torch.softmax(sorted_logits, 0) >= top_p  # keep the smallest set reaching top_p
        logits = logits.masked_fill(torch.zeros_like(drop).scatter(0, order, drop), -math.inf)
    return logits


@torch.no_grad()
def stream(model: nn.Module, tok: CharTokenizer, prompt: str = "", length: int = 200, temperature: float = 1.0,
           top_k: int = 0, top_p: float = 1.0, seed: int = 0, stop_at_eos: bool = True,
           explain: bool = True) -> Iterator[Step]:
    """Yield one :class:`Step` per generated character (seeded; the same arguments give the same text)."""
    if not 1 <= int(length) <= 5000:
        raise GenLabError(f"Length must be between 1 and 5,000 characters; got {length}.")
    if not 0 <= float(temperature) <= 5:
        raise GenLabError(f"Temperature must be between 0 and 5; got {temperature}.")
    if not 0 <= int(top_k) <= len(tok):
        raise GenLabError(f"top-k must be between 0 (off) and {len(tok)}; got {top_k}.")
    if not 0 < float(top_p) <= 1:
        raise GenLabError(f"top-p must be in (0, 1]; got {top_p}.")
    model.eval()
    g = torch.Generator().manual_seed(int(seed))
    ids = torch.tensor([tok.encode(prompt, bos=True)])
    text = ""
    state = None  # LSTM: (h, c)
    decoder = GPTDecoder(model) if isinstance(model, CharGPT) else None
    fresh = ids.size(1)  # ids not yet read by the model
    for _ in range(int(length)):
        if decoder is None:
            out, state = model.rnn(model.embed(ids[:, -fresh:]), state)
            logits = model.head(out[0, -1])
        else:
            if fresh > decoder.room():
                # (re)start from the last part of ids (the whole window for a prompt, half of it when generation
                # fills the window): positions stay inside the table — never an IndexError — and the cache makes
                # every following step cost one token until the window fills again
                keep = ids[0, -(model.context if decoder.pos == 0 else model.context // 2):]
                decoder.reset()
                logits = decoder.feed(keep.tolist())
            else:
                logits = decoder.feed(ids[0, -fresh:].tolist())
        logits[[PAD, BOS, UNK]] = -math.inf  # never written: padding, a start, "a character I never saw"
        shown = []
        if explain:
            probs = torch.softmax(logits, 0)
            top = torch.topk(probs, min(10, len(probs)))
            shown = [(tok.itos[i], float(p)) for p, i in zip(top.values, top.indices)]
        nxt = int(torch.multinomial(torch.softmax(_filter(logits, float(temperature), int(top_k), float(top_p)), 0),
                                    1, generator=g))
        if nxt == EOS and stop_at_eos:
            yield Step("", text, shown)
            return
        if nxt == EOS:  # the example ended: show a blank line and start the next one, as in training
            ch, new = "\n\n", [EOS, BOS]
        else:
            ch, new = tok.itos[nxt], [nxt]
        text += ch
        ids = torch.cat([ids, torch.tensor([new])], 1)
        fresh = len(new)
        if model.context and ids.size(1) > 4 * model.context:
            ids = ids[:, -model.context:]  # keep memory bounded; the model only reads the last n_positions
        yield Step(ch, text, shown)


@torch.no_grad()
def bits_per_char(model: nn.Module, tok: CharTokenizer, texts, batch: int = 64) -> float:
    """Held-out bits per scored token (characters and each example's <eos>; control tokens are given, not scored:
    ``CharTokenizer.scored``), in windows of the model's context."""
    model.eval()
    total, n = 0.0, 0
    window = model.context or 512
    seqs = [tok.encode(t, bos=True, eos=True) for t in texts]
    chunks = []
    for s in seqs:
        for i in range(0, len(s) - 1, window):
            chunks.append(s[i:i + window + 1])
    for i in range(0, len(chunks), batch):
        part = chunks[i:i + batch]
        width = max(len(c) for c in part)
        x = torch.full((len(part), width), PAD)
        for j, c in enumerate(part):
            x[j, :len(c)] = torch.tensor(c)
        inputs = x[:, :-1]
        logits = model(inputs) if isinstance(model, CharLSTM) else \
            model.net(input_ids=inputs, attention_mask=(inputs != PAD).long()).logits
        target = x[:, 1:].clone()
        first_text = len(SPECIALS) + len(tok.controls)
        target[((target < first_text) & (target != EOS))] = PAD  # conditions and <unk>: not scored (tok.scored)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1), ignore_index=PAD,
                               reduction="sum")
        total += float(loss)
        n += int((target != PAD).sum())
    return total / max(n, 1) / math.log(2)


def load(folder) -> tuple[nn.Module, CharTokenizer, dict]:
    """A saved text model: :func:`genlib.hub.load_folder` (config, weights checked against meta's SHA-256 when
    recorded, meta) plus ``tokenizer.json``; nothing is unpickled."""
    from pathlib import Path

    from genlib import hub

    folder = Path(folder)
    config, state, meta = hub.load_folder(folder)
    tok = CharTokenizer.from_json(hub.read_json(folder / "tokenizer.json"))
    config = dict(config)
    model = build(config.pop("kind"), **config)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [k for k in missing if not k.endswith("lm_head.weight")]:
        raise GenLabError(f"The text model in {folder.name} does not match its config.")
    if hasattr(model, "net"):
        model.net.tie_weights()
    return model.eval(), tok, meta
