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


def _dataset_picker(key: str) -> str | None:
    """The sidebar's dataset menu (datasets with a trained generator), or a warning and None."""
    datasets = common.dataset_options()
    if not datasets:
        st.warning("No trained checkpoints found. Train one with `genlib train MODEL --dataset mnist`.")
        return None
    labels = {d: t for t, d in datasets}
    return st.sidebar.selectbox("Dataset", list(labels), format_func=labels.get, key=key)


def generate_page() -> None:
    st.title("Generate")
    dataset = _dataset_picker("gen_dataset")
    if dataset is None:
        return
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


def compare_page() -> None:
    st.title("Compare")
    dataset = _dataset_picker("cmp_dataset")
    if dataset is None:
        return
    models = dict((m, t) for t, m in common.model_options(dataset))
    chosen = st.sidebar.multiselect("Models (2–4)", list(models), default=list(models)[:2], format_func=models.get,
                                    max_selections=4, key="cmp_models")
    classes = {i: name for name, i in common.class_options(dataset)}
    klass = st.sidebar.selectbox("Class shown (conditional models)", list(classes), format_func=classes.get,
                                 key="cmp_class")
    seed = st.sidebar.number_input("Seed", 0, 2**31 - 1, 0, 1, key="cmp_seed")
    n = st.sidebar.select_slider("N samples for the metrics", common.COMPARE_N, common.COMPARE_DEFAULT_N, key="cmp_n")
    if "cmp_result" not in st.session_state:
        st.session_state.cmp_result = None
    if st.sidebar.button("Compare", type="primary", key="cmp_button"):
        try:
            with st.spinner("Sampling and measuring…"):
                st.session_state.cmp_result = common.run_compare(dataset, chosen, klass, seed, n)
        except GenLabError as e:
            st.session_state.cmp_result = None
            st.error(str(e))
    view = st.session_state.cmp_result
    if view is None:
        st.info("Pick 2–4 models and press **Compare**: sample grids side by side, and quality metrics next to the "
                "real-data floor.")
    else:
        for col, (image, caption) in zip(st.columns(len(view.grids)), view.grids):
            col.image(image, caption=caption)
        st.dataframe([dict(zip(view.headers, row)) for row in view.table], hide_index=True)
        st.caption(view.caption)
    with st.expander("Data-augmentation experiment: do generated samples help a classifier?"):
        headers, rows, text = common.augment_view(dataset)
        if rows:
            st.dataframe([dict(zip(headers, row)) for row in rows], hide_index=True, key="cmp_augment")
        st.caption(text)
