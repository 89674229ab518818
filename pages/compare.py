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
    with st.expander("Mode collapse and memorisation: which classes, how much variety, any copies?"):
        c1, c2, c3 = st.columns(3)
        examined = widget(cmp.COLLAPSE_MODEL, "collapse", c1, choices=models)
        collapse_seed = widget(cmp.SEED, "collapse", c2)
        collapse_n = widget(cmp.COLLAPSE_N, "collapse", c3)
        if st.button("Examine", key="collapse_button"):
            with sentences(forget="collapse_result"), st.spinner("Sampling, reading and searching…"):
                st.session_state.collapse_result = cmp.explain_collapse(dataset, examined, collapse_seed, collapse_n)
        report = st.session_state.get("collapse_result")
        if report is not None:
            h1, h2 = st.columns(2)
            h1.bar_chart({"samples": {name: count for name, count in report.histogram}}, x_label="class",
                         y_label="samples", sort=False)
            h2.dataframe([dict(zip(cmp.COLLAPSE_HEADERS, row)) for row in report.table], hide_index=True)
            cols = st.columns(8)
            for i, (image, caption) in enumerate(report.pairs):
                cols[i % 8].image(image, caption=caption)
            st.caption(report.caption)
    with st.expander("Data-augmentation experiment: do generated samples help a classifier?"):
        headers, rows, text = cmp.augment_view(dataset)
        if rows:
            st.dataframe([dict(zip(headers, row)) for row in rows], hide_index=True, key="cmp_augment")
        st.caption(text)
