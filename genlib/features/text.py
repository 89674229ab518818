"""What the Text tab (Gradio) and page (Streamlit) show — computed once here: the model menus, streamed text with the
next-character view, names by gender, chatbot replies and the bits/char table."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import MappingProxyType

from genlib import text
from genlib.controls import Control, menu, seed
from genlib.errors import GenLabError
from genlib.gate import HEAVY, LIGHT, gated

VISIBLE = MappingProxyType({" ": "␣ (space)", "\n": "⏎ (new line)", "\t": "⇥ (tab)", "": "<eos> (end)", "<eos>": "<eos> (end)",
           "\n\n": "<eos> (end)"})
PROMPT_SHOWN = 300  # characters of the prompt shown before the generated text
EXAMPLE_PROMPT = MappingProxyType({"fortunes": "The secret of ", "chatbot": "<q>What is your name?<a>",
                                   "names": "<female>Ma"})


# writing (/text_write, `genlib text`)
MODEL = menu("model", "Model")
PROMPT = Control("prompt", "text", "", "Prompt", help="Control tokens work too: <female>, <male>, <last>, <q>…<a>")
LENGTH = Control("length", "int", 300, "Length (characters)", 1, 5000, 1, number=True)
TEMPERATURE = Control("temperature", "float", 0.8, "Temperature (0 = always the likeliest)", 0.0, 2.0, 0.05)
TOP_K = Control("top_k", "int", 0, "Top-k (0 = off)", 0, 1000, 1, ui_max=60)
TOP_P = Control("top_p", "float", 1.0, "Top-p (1 = off)", 0.05, 1.0, 0.05)
SEED = seed()
STOP_AT_END = Control("stop_at_end", "bool", True, "Stop where the model ends the example (a fortune, a name, a reply)")
WRITE = (LENGTH, TEMPERATURE, TOP_K, TOP_P, SEED, STOP_AT_END)
# names (/text_names)
GENDER = menu("gender", "Kind", "female", (("Female first name", "female"), ("Male first name", "male"),
                                           ("Surname", "surname")))
PREFIX = Control("prefix", "text", "", "Starts with (optional)")
COUNT = Control("count", "int", 10, "How many", 1, 30, 1)
NAMES_TEMPERATURE = TEMPERATURE.but(label="Temperature", min=0.1)
NAMES = (GENDER, PREFIX, COUNT, NAMES_TEMPERATURE, SEED)
# the chatbot (/text_reply)
CHAT_TEMPERATURE = TEMPERATURE.but(label="Temperature", default=0.6)
CHAT = (CHAT_TEMPERATURE, SEED)
CONTROLS = (MODEL, PROMPT, *WRITE, *NAMES[:-1], CHAT_TEMPERATURE)


def shown(ch: str) -> str:
    return VISIBLE.get(ch, ch)


def model_options(corpus: str | None = None) -> list[tuple[str, str]]:
    """(label, id) for every shipped text model (of ``corpus``), Transformers first."""
    return [(f"{m['title']} · {m['metrics'].get('test_bits_per_char', '?')} bits/char", m["id"])
            for m in text.shipped() if corpus is None or m["corpus"] == corpus]


def default_model(corpus: str | None = None) -> str | None:
    """The first shipped model of ``corpus``; with no corpus, the fortunes Transformer when it is there (free text
    shows the most), else the first model."""
    ids = [mid for _, mid in model_options(corpus)]
    if corpus is None and "gpt-fortunes" in ids:
        return "gpt-fortunes"
    return ids[0] if ids else None


def example_prompt(model: str | None) -> str:
    """A prompt that suits ``model``'s corpus (the Write tab fills it in when the model changes)."""
    corpus = next((m["corpus"] for m in text.shipped() if m["id"] == model), "fortunes")
    return EXAMPLE_PROMPT.get(corpus, "")


def top_dict(step: text.Step) -> dict[str, float]:
    """The step's top-10 next characters as {visible label: probability} (what gr.Label and a bar chart show)."""
    return {shown(c): round(p, 4) for c, p in step.top}


@dataclass
class Written:
    text: str  # the generated characters
    steps: list[text.Step] = field(default_factory=list)
    chars_per_s: float = 0.0
    note: str = ""
    prompt: str = ""

    @property
    def shown(self) -> str:
        """The prompt (its last 300 characters) followed by what the model wrote."""
        lead = self.prompt if len(self.prompt) <= PROMPT_SHOWN else "…" + self.prompt[-PROMPT_SHOWN:]
        return lead + self.text

    def caption(self, model: str, done: bool) -> str:
        rate = f" · {self.chars_per_s:,.0f} characters/s" if self.chars_per_s else ""
        state = "done" if done else "writing…"
        return f"{len(self.steps)} characters from {model}{rate} · {state}" + (f"\n\n{self.note}" if self.note else "")


@gated(HEAVY)
def write(model: str, prompt: str, length, temperature, top_k, top_p, seed, stop_at_end: bool = True,
          every: float = 0.05) -> Iterator[Written]:
    """Stream a continuation of ``prompt``: yields a growing :class:`Written` at most every ``every`` seconds (and at
    the end), each step carrying its top-10 next-character probabilities. ``stop_at_end``: stop where the model ends
    the example (a fortune, a name, a reply); otherwise write on, a blank line between examples."""
    if not model:
        raise GenLabError("No text model is installed: train one with `genlib text-train gpt --corpus names`.")
    note = text.unknown_note(model, prompt or "")  # loads the model, too: the clock starts after
    out = Written("", note=note, prompt=prompt or "")
    t0 = last = time.perf_counter()
    for step in text.generate(model, prompt or "", length=int(length), temperature=float(temperature),
                              top_k=int(top_k or 0), top_p=float(top_p), seed=int(seed or 0), explain=True,
                              stop_at_eos=bool(stop_at_end)):
        out.steps.append(step)
        out.text = step.text
        now = time.perf_counter()
        if now - last >= every:
            out.chars_per_s = len(out.steps) / (now - t0)
            last = now
            yield out
    out.chars_per_s = len(out.steps) / max(time.perf_counter() - t0, 1e-9)
    yield out


def step_view(written: Written | None, index) -> tuple[str, dict[str, float], str]:
    """For step ``index`` (1-based) of a finished text: the text up to it (the chosen character in brackets), the
    top-10 the model saw at that moment, and a sentence."""
    if not written or not written.steps:
        return "", {}, "Write something first."
    i = max(1, min(int(index or 1), len(written.steps))) - 1
    step = written.steps[i]
    before = written.steps[i - 1].text if i else ""
    chosen = step.char
    p = dict(step.top).get(chosen)
    chance = f"{p:.1%}" if p is not None else "below the top 10"
    sentence = (f"Step {i + 1}: after “…{before[-40:]}” the model drew **{shown(chosen)}** (probability {chance}).")
    return before + f"[{shown(chosen)}]", top_dict(step), sentence


@dataclass
class Name:
    name: str
    new: bool


@gated(LIGHT)
def names(model: str, gender: str, prefix: str, count, temperature, seed) -> list[Name]:
    """``count`` names (seeds seed … seed+count−1), each marked new or seen in the training list."""
    if not model:
        raise GenLabError("No names model is installed: `genlib text-train gpt --corpus names`.")
    count = int(count)
    if not 1 <= count <= 100:
        raise GenLabError(f"Ask for 1 to 100 names; got {count}.")
    known = text.training_names()
    out = []
    for i in range(count):
        got = text.last(text.name(model, gender, prefix=prefix or "", temperature=float(temperature),
                                  seed=int(seed or 0) + i))
        out.append(Name(got, got not in known))
    return out


def names_markdown(found: list[Name]) -> str:
    new = sum(n.new for n in found)
    rows = "\n".join(f"- **{n.name}**" + ("" if n.new else " · *in the training list*") for n in found)
    return f"{rows}\n\n{new} of {len(found)} are new (not in the training list)."


@gated(LIGHT)
def reply(model: str, question: str, temperature, seed) -> Iterator[str]:
    """The chatbot's answer, growing as it is written."""
    if not model:
        raise GenLabError("No chatbot model is installed: `genlib text-train gpt --corpus chatbot`.")
    for step in text.reply(model, question, temperature=float(temperature), seed=int(seed or 0)):
        yield step.text


def metrics_rows() -> tuple[list[str], list[list]]:
    """Held-out bits/char per shipped model next to the bigram reference (lower is better)."""
    headers = ["Corpus", "Model", "Bits/char (held-out)", "Bigram", "Better than bigram"]
    rows = []
    for m in text.shipped():
        mt = m["metrics"]
        bpc, ref = mt.get("test_bits_per_char"), mt.get("bigram_test_bits_per_char")
        gain = f"{1 - bpc / ref:.0%}" if bpc and ref else "–"
        rows.append([m["corpus"], text.KINDS[m["kind"]], bpc, ref, gain])
    return headers, rows
