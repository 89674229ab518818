"""Streamlit widgets built from the registry (keys are stable and named after the param: tests find them by key)."""

from __future__ import annotations

import streamlit as st

from genlib.errors import GenLabError
from genlib.registry import get_spec
from genlib.serving import load
from genlib.ui import common


@st.cache_resource(show_spinner="Loading model…")
def _warm(model_id: str, dataset: str) -> None:
    load(model_id, dataset)  # genlib's cache is process-wide; this only shows a spinner on first use


def _widget(p, prefix: str):
    key = f"{prefix}_{p.name}"
    if p.kind == "choice":
        return st.sidebar.selectbox(p.label, p.choices, index=p.choices.index(p.default), key=key, help=p.help)
    if p.name == "seed":
        return st.sidebar.number_input(p.label, int(p.min), int(p.max), int(p.default), 1, key=key, help=p.help)
    if p.kind == "int":
        return st.sidebar.slider(p.label, int(p.min), int(p.max), int(p.default), int(p.step), key=key, help=p.help)
    return st.sidebar.slider(p.label, float(p.min), float(p.max), float(p.default), float(p.step), key=key,
                             help=p.help)


def generate_page() -> None:
    st.title("Generate")
    datasets = common.dataset_options()
    if not datasets:
        st.warning("No trained checkpoints found. Train one with `genlib train MODEL --dataset mnist`.")
        return
    labels = dict(datasets)
    dataset = st.sidebar.selectbox("Dataset", list(labels.values()), format_func=lambda d: {v: k for k, v in
                                   labels.items()}[d], key="gen_dataset")
    models = dict((m, t) for t, m in common.model_options(dataset))
    model_id = st.sidebar.selectbox("Model", list(models), format_func=models.get, key="gen_model")
    spec = get_spec(model_id)
    klass = None
    if spec.conditional:
        classes = common.class_options(dataset)
        names = {i: name for name, i in classes}
        klass = st.sidebar.selectbox("Class", list(names), format_func=names.get, key="gen_class")
    names = common.declared(model_id)
    values = {p.name: _widget(p, "gen") for p in common.ui_params() if p.name in names}
    if "gen_result" not in st.session_state:
        st.session_state.gen_result = None
    if st.sidebar.button("Generate", type="primary", key="gen_button"):
        try:
            _warm(model_id, dataset)
            st.session_state.gen_result = common.run_generate(dataset, model_id, klass, values)
        except GenLabError as e:
            st.session_state.gen_result = None
            st.error(str(e))
    shown = st.session_state.gen_result
    if shown is not None:
        st.image(shown.image, caption=shown.caption)
    else:
        st.info(f"{spec.description} Choose the settings in the sidebar and press **Generate**.")
