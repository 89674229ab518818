"""Controls → Gradio components, errors → sentences, and the small pieces every tab shares."""

from __future__ import annotations

import functools
import inspect
import logging

import gradio as gr

from genlib.controls import Control
from genlib.errors import GenLabError
from genlib.features import explain, share
from genlib.features.menus import UNEXPECTED
from genlib.inputs import EXTENSIONS

log = logging.getLogger("genlab")


def widget(c: Control, elem_id: str | None = None, *, value=None, choices=None, radio: bool = False, **layout):
    """The Gradio component of control ``c``: a dropdown (or radio) for a menu, a checkbox, a textbox, a number box or
    a slider over the control's UI range. ``value`` and ``choices`` replace the declared default and menu where the
    feature fills them at run time (a model's example prompt, the datasets on this machine); ``layout`` is passed on
    (visible, scale, lines, …)."""
    value = c.default if value is None else value
    kw = {"label": c.label, "elem_id": elem_id, **({"info": c.help} if c.help else {}), **layout}
    if c.kind == "choice":
        options = c.options if choices is None else choices
        return (gr.Radio if radio else gr.Dropdown)(choices=options, value=value, **kw)
    if c.kind == "bool":
        return gr.Checkbox(value=value, **kw)
    if c.kind == "text":
        return gr.Textbox(value=value, **kw)
    if c.number:
        return gr.Number(value=value, precision=0 if c.whole else None, minimum=c.min, maximum=c.max, **kw)
    return gr.Slider(minimum=c.slider_min, maximum=c.slider_max, step=c.step, value=value, **kw)


def upload(label: str, elem_id: str) -> gr.File:
    """Every image upload is a plain file handed to genlib.inputs (gr.Image would decode it with PIL first, before
    GenLab's checks, and show a bare "Error" for a bad file)."""
    return gr.File(label=label, file_types=list(EXTENSIONS), type="filepath", elem_id=elem_id, height=130)


def wav_upload(label: str, elem_id: str) -> gr.File:
    return gr.File(label=label, file_types=[".wav"], type="filepath", elem_id=elem_id, height=130)


def _as_sentence(e: Exception) -> gr.Error:
    if isinstance(e, gr.Error):
        return e
    if isinstance(e, GenLabError):
        return gr.Error(str(e))
    log.exception("unexpected error in a Gradio handler")
    return gr.Error(UNEXPECTED)


def sentences(fn):
    """``fn`` (a plain or generator event handler) with every failure turned into a sentence the user reads: a
    GenLabError's own, or — for anything unexpected, which is logged with its traceback — ``UNEXPECTED``; never
    Gradio's bare "Error". The signature is kept (Gradio names the API's parameters after it)."""
    if getattr(fn, "__genlab_sentences__", False):
        return fn
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                yield from fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - the user gets a sentence, the log the traceback
                raise _as_sentence(e) from None
    else:
        @functools.wraps(fn)
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                raise _as_sentence(e) from None
    run.__genlab_sentences__ = True
    return run


def numeric_menus() -> None:
    """gr.Dropdown documents every menu as a string enum, and refuses "7" for a menu of integers (classes, digits, N)
    although its schema lists "7". Patched once on the class: a menu whose values are all integers is documented as
    an integer enum and takes a value in either form; other menus are untouched. (A subclass would be cleaner, but
    Gradio's component metaclass writes a .pyi copy of the defining module next to it at import time.)"""
    if getattr(gr.Dropdown, "__genlab_numeric__", False):
        return
    api_info, preprocess = gr.Dropdown.api_info, gr.Dropdown.preprocess

    def ints(menu) -> list[int] | None:
        values = [v for _, v in menu.choices]
        return values if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values) else None

    def numeric_api_info(self) -> dict:
        values = None if self.multiselect else ints(self)
        return {"type": "integer", "enum": values} if values else api_info(self)

    def numeric_preprocess(self, payload):
        values = None if self.multiselect else ints(self)
        if values and isinstance(payload, str) and payload.strip().lstrip("-").isdigit():
            payload = int(payload)
        elif values and isinstance(payload, float) and payload.is_integer():
            payload = int(payload)
        return preprocess(self, payload)

    gr.Dropdown.api_info, gr.Dropdown.preprocess = numeric_api_info, numeric_preprocess
    gr.Dropdown.__genlab_numeric__ = True


SHARE_JS = """(query) => {
    if (!query) return "";
    const url = new URL(window.location.href);
    url.search = query;
    window.history.replaceState(null, "", url);
    return url.toString();
}"""


def share_widgets(elem: str) -> tuple[gr.Button, gr.Textbox]:
    with gr.Row():
        button = gr.Button("Link to this view", size="sm", elem_id=f"{elem}-share", scale=0, min_width=160)
        link = gr.Textbox(show_label=False, placeholder="a link that reopens this view, same images",
                          buttons=["copy"], interactive=False, elem_id=f"{elem}-link", scale=4, container=False)
    return button, link


def shared_view(request: gr.Request | None, tab: str | None = None):
    """The view a link asks for (when ``tab`` is given: asks this tab to restore), or None."""
    v = share.decode(dict(request.query_params)) if request is not None else None
    return v if v is not None and tab in (None, v.tab) else None


def explained(key: str) -> None:
    """The tab's "what you are seeing" text, folded (for use in class)."""
    with gr.Accordion("What you are seeing", open=False, elem_id=f"explain-{key}"):
        gr.Markdown(explain.text(key))
