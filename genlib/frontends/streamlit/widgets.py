"""Controls → Streamlit widgets (keyed ``<page>_<control name>``: tests and links find them by key), errors →
``st.error``, and what every page shares: the dataset picker, shared links, the explanation, the warm-up."""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlencode

import streamlit as st

from genlib.controls import Control
from genlib.errors import GenLabError
from genlib.features import explain, menus, opening, share
from genlib.inputs import EXTENSIONS
from genlib.registry import is_live
from genlib.serving import load

UPLOAD_TYPES = tuple(e.lstrip(".") for e in EXTENSIONS)


def key(prefix: str, c: Control) -> str:
    return f"{prefix}_{c.name}"


def widget(c: Control, prefix: str, where=None, *, choices=None, value=None, radio: bool = False, area: bool = False,
           suffix: str = "", **kw):
    """The Streamlit widget of control ``c``, keyed ``<prefix>_<name><suffix>``, in ``where`` (default: the sidebar).
    ``choices`` and ``value`` replace the declared menu and default where the feature fills them at run time."""
    where = where if where is not None else st.sidebar
    kw = {"key": key(prefix, c) + suffix, **({"help": c.help} if c.help else {}), **kw}
    label = kw.pop("label", c.label)
    value = c.default if value is None else value
    if c.kind == "choice":
        options = list(c.options if choices is None else choices)
        labels = {v: shown for shown, v in options}
        values = list(labels)
        index = values.index(value) if value in values else 0
        if radio:
            return where.radio(label, values, index=index, format_func=labels.get, horizontal=True, **kw)
        return where.selectbox(label, values, index=index, format_func=labels.get, **kw)
    if c.kind == "bool":
        return where.checkbox(label, bool(value), **kw)
    if c.kind == "text":
        return (where.text_area if area else where.text_input)(label, value or "", **kw)
    cast = int if c.whole else float
    if c.number:
        return where.number_input(label, cast(c.min), cast(c.max), cast(value), cast(c.step or 1), **kw)
    return where.slider(label, cast(c.slider_min), cast(c.slider_max), cast(value), cast(c.step), **kw)


@contextmanager
def sentences(forget: str | None = None):
    """A GenLabError raised inside becomes ``st.error`` with its sentence (and ``st.session_state[forget]`` is
    cleared, so a stale result is not shown under it). Anything unexpected reaches streamlit_app.py's guard."""
    try:
        yield
    except GenLabError as e:
        if forget:
            st.session_state[forget] = None
        st.error(str(e))


@st.cache_resource(show_spinner=False)
def warm_openings() -> None:
    """Start computing every page's opening view once per server (genlib.openings keeps them)."""
    opening.warm()


@st.cache_resource(show_spinner="Loading model…")
def warm(model_id: str, dataset: str) -> None:
    load(model_id, dataset)  # genlib's cache is process-wide; this only shows a spinner on first use


def dataset_picker(prefix: str) -> str | None:
    """The sidebar's dataset menu (datasets with a trained generator), or a warning and None."""
    datasets = menus.dataset_options()
    if not datasets:
        st.warning("No trained checkpoints found. Train one with `genlib train MODEL --dataset mnist`.")
        return None
    return widget(menus.DATASET, prefix, choices=datasets, value=datasets[0][1])


def restore(tab: str, keys: dict[str, str]) -> bool:
    """On this page's first run in a session, a shared link's view (``?tab=…``) sets the widgets, keyed by
    ``keys`` (view field → widget key). True when a view was restored."""
    done = f"_shared_{tab}"
    if st.session_state.get(done):
        return False
    st.session_state[done] = True
    v = share.decode(st.query_params.to_dict())
    if v is None or v.tab != tab:
        return False
    for problem in v.problems:
        st.warning(problem)
    fields = {"dataset": v.dataset, "model": v.model, **v.values}
    for name, k in keys.items():
        if name in fields:
            st.session_state[k] = fields[name]
    return True


def publish(tab: str, dataset: str, model_id: str, values: dict) -> None:
    """Keep the address bar on the current view (so it can be copied) and offer the link in the sidebar."""
    if is_live(model_id):  # trained live: private to this session
        st.query_params.clear()
        return
    query = share.fields(tab, dataset, model_id, values)
    st.query_params.from_dict(query)
    with st.sidebar.expander("Link to this view"):
        page = (st.context.url or "").split("?")[0]  # None outside a browser (tests, bare runs)
        st.code(page + "?" + urlencode(query), language=None, wrap_lines=True)


def explained(key: str) -> None:
    """The page's "what you are seeing" text, folded (for use in class), and the credits the data's licences require
    at the foot of the sidebar (every page calls this first: a page opened by its own link runs without
    streamlit_app.py)."""
    with st.expander("What you are seeing"):
        st.markdown(explain.text(key))
    if line := menus.credits():
        st.sidebar.caption(line)
