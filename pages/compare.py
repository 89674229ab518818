"""Compare: 2–4 models on one dataset → grids side by side and a metrics table with the real-data floor."""

import streamlit as st

from genlib.features import compare as cmp
from genlib.features import menus, opening
from genlib.frontends.streamlit.widgets import dataset_picker, explained, sentences, widget

st.title("Compare")
explained("compare")
if (dataset := dataset_picker("cmp")) is not None:
    models = menus.model_options(dataset)
    labels = {m: t for t, m in models}
    chosen = st.sidebar.multiselect(cmp.MODELS.label, list(labels), default=list(labels)[:2], format_func=labels.get,
                                    max_selections=4, key="cmp_models", help=cmp.MODELS.help)
    klass = widget(cmp.CLASS_SHOWN, "cmp", choices=menus.class_options(dataset))
    seed = widget(cmp.SEED, "cmp")
    n = st.sidebar.select_slider(cmp.N.label, cmp.N.values, cmp.N.default, key="cmp_n")
    if "cmp_result" not in st.session_state:
        with st.spinner("Sampling and measuring…"):
            st.session_state.cmp_result = opening.get("compare")
    if st.sidebar.button("Compare", type="primary", key="cmp_button"):
        with sentences(forget="cmp_result"), st.spinner("Sampling and measuring…"):
            st.session_state.cmp_result = cmp.run_compare(dataset, chosen, klass, seed, n)
    view = st.session_state.get("cmp_result")
    if view is None:
        st.info("Pick 2–4 models and press **Compare**: sample grids side by side, and quality metrics next to the "
                "real-data floor.")
    else:
        for col, (image, caption) in zip(st.columns(len(view.grids)), view.grids):
            col.image(image, caption=caption)
        st.dataframe([dict(zip(view.headers, row)) for row in view.table], hide_index=True)
        st.caption(view.caption)
    with st.expander("Data-augmentation experiment: do generated samples help a classifier?"):
        headers, rows, text = cmp.augment_view(dataset)
        if rows:
            st.dataframe([dict(zip(headers, row)) for row in rows], hide_index=True, key="cmp_augment")
        st.caption(text)
