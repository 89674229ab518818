"""Diffusion. Sample: class, guidance, sampler, steps, seed and count while watching x_t and x̂_0 stream in.
Restoration: corrupt a test image or an upload (noise, or a painted mask), restore it, read PSNR/SSIM."""

import streamlit as st

from genlib.features import diffusion as dif
from genlib.features import menus, opening
from genlib.frontends.streamlit.components import drawing_canvas
from genlib.frontends.streamlit.widgets import UPLOAD_TYPES, dataset_picker, explained, sentences, warm, widget


def main() -> None:
    dataset = dataset_picker("dif")
    if dataset is None:
        return
    models = dif.models(dataset)
    if not models:
        st.warning("No diffusion checkpoint for this dataset yet: `genlib train ddpm --dataset " + dataset + "`.")
        return
    model_id = widget(menus.MODEL, "dif", choices=models)
    warm(model_id, dataset)
    sample_tab, restore_tab = st.tabs(["Sample", "Restoration"])
    with sample_tab:
        left, right = st.columns([1, 2])
        with left:
            klass = widget(menus.KLASS, "dif", st, choices=menus.class_options(dataset))
            seed = widget(dif.SEED, "dif", st)
            n = widget(dif.N, "dif", st)
            values = {p.name: widget(p, "dif", st) for p in dif.params(model_id)}
            every = widget(dif.EVERY, "dif", st)
            go = st.button("Sample", type="primary", key="dif_button")
        with right:
            shown = st.empty()
            if go:
                with sentences():
                    for view in dif.stream(dataset, model_id, klass, seed, n, every, values):
                        shown.image(view.image, caption=view.caption)
                    st.session_state.dif_caption = view.caption
            elif (view := opening.get("diffusion")) is not None and not st.session_state.get("dif_caption"):
                shown.image(view.image, caption=view.caption)  # the opening view: what the defaults give
            else:
                shown.info("Press **Sample** to watch the model turn noise into images: the noisy x_t on the left, "
                           "its current guess of the clean images x̂₀ on the right.")
    with restore_tab:
        left, right = st.columns([1, 2])
        with left:
            mode = widget(dif.TASK, "res", st, radio=True)
            index = widget(dif.INDEX, "res", st)
            upload = st.file_uploader("…or upload your own (optional)", type=list(UPLOAD_TYPES), key="res_upload")
            sigma = widget(dif.SIGMA, "res", st)
            mask_kind = widget(dif.MASK, "res", st)
            res_class = widget(dif.HINT, "res", st, choices=dif.hint_options(dataset))
            steps = widget(dif.STEPS, "res", st)
            res_seed = widget(dif.SEED, "res", st)
        with right:
            source = upload.getvalue() if upload is not None else None
            painted = None
            with sentences():
                if mode == "inpaint" and mask_kind == "painted":
                    st.caption("Paint over the part to fill in, then press **Use mask**.")
                    painted = drawing_canvas("res_canvas", size=dif.CANVAS, stroke=24,
                                                           background=dif.canvas_background(dataset, source, index),
                                                           label="Use mask")
                if st.button("Corrupt and restore", type="primary", key="res_button"):
                    mask = dif.chosen_mask(mode, mask_kind, painted)
                    with st.spinner("Restoring…"):
                        view = dif.restore(dataset, model_id, source, index, mode, sigma, mask, res_class, steps,
                                           res_seed)
                    st.session_state.res_view = view
                    for col, (image, caption) in zip(st.columns(3), view.images):
                        col.image(image, caption=caption)
                    st.dataframe([dict(zip(view.headers, row)) for row in view.table], hide_index=True)
                    st.caption(view.caption)


st.title("Diffusion")
explained("diffusion")
main()
