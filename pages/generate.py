"""Generate: dataset, model, class (conditional models) and the model's sampling controls → a grid of samples."""

import streamlit as st

from genlib.features import generate as gen
from genlib.features import live as lv
from genlib.features import menus, opening
from genlib.frontends.streamlit.widgets import dataset_picker, explained, publish, restore, sentences, warm, widget
from genlib.registry import get_spec

st.title("Generate")
explained("generate")
shared = restore("generate", {"dataset": "gen_dataset", "model": "gen_model", "class": "gen_klass",
                              **{p.name: f"gen_{p.name}" for p in gen.ui_params()}})
if (dataset := dataset_picker("gen")) is not None:
    models = menus.model_options(dataset) + lv.menu(st.session_state.get("live_models"), dataset)  # + trained here
    model_id = widget(menus.MODEL, "gen", choices=models)
    spec = get_spec(model_id)
    klass = widget(menus.KLASS, "gen", choices=menus.class_options(dataset)) if spec.conditional else None
    names = gen.declared(model_id)
    values = {p.name: widget(p, "gen") for p in gen.ui_params() if p.name in names}
    if "gen_result" not in st.session_state:  # a real result from the first paint: what the defaults give
        st.session_state.gen_result = opening.get("generate")
    publish("generate", dataset, model_id, {**values, **({"class": klass} if spec.conditional else {})})
    if st.sidebar.button("Generate", type="primary", key="gen_button") or shared:
        with sentences(forget="gen_result"):
            warm(model_id, dataset)
            st.session_state.gen_result = gen.run_generate(dataset, model_id, klass, values)
    shown = st.session_state.get("gen_result")
    if shown is not None:
        st.image(shown.image, caption=shown.caption, output_format="PNG")  # exact pixels (not JPEG)
    else:
        st.info(f"{spec.description} Choose the settings in the sidebar and press **Generate**.")
