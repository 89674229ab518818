"""Latent Lab: endpoints (seed, class, drawing), the interpolation slider, walks with GIF/MP4 export, PCA and
per-dimension sliders, the 2-D latent map, StyleGAN's style mixing, breeding and class arithmetic."""

from pathlib import Path

import streamlit as st

from genlib.errors import GenLabError
from genlib.features import lab, menus
from genlib.frontends.streamlit.components import clickable_image, drawing_canvas, frame_scrubber
from genlib.frontends.streamlit.widgets import dataset_picker, explained, publish, restore, sentences, widget


def _lab_t() -> float:
    """The Lab's t: where the scrubber was released on this rerun (its trigger), else where it was before."""
    released = st.session_state.get("lab_scrub")
    if released is not None and released.get("t") is not None:
        st.session_state.lab_t = float(released["t"])
    return st.session_state.get("lab_t", lab.T.default)


def _lab_slider(dataset: str, model_id: str, a, b, mode: str) -> None:
    """The interpolation slider and its frame. The frames for every slider step (t = 0.00 … 1.00) are decoded at once
    (one batch, a few ms) and the browser swaps them as the slider moves — a step costs no rerun at all. Releasing it
    reruns the page once, which keeps t for the link and the other panels. (Not an st.fragment: a component's event
    inside a fragment triggers no rerun in Streamlit 1.67, measured.)"""
    frames = lab.frames(dataset, model_id, a, b, mode, lab.SCRUB_STEPS)
    t = _lab_t()
    frame_scrubber(frames, t, "lab_scrub", lab.T.label, mode, size=28 * lab.SHOW)
    st.session_state.lab_frame = lab.big(frames[int(round(float(t) * lab.SCRUB_STEPS))])


def main() -> None:
    restore("lab", {"dataset": "lab_dataset", "model": "lab_model", "mode": "lab_mode", "seed_a": "lab_seed_a",
                     "seed_b": "lab_seed_b", "class_a": "lab_class_a", "class_b": "lab_class_b", "t": "lab_t"})
    dataset = dataset_picker("lab")
    if dataset is None:
        return
    models = lab.models(dataset)
    model_id = widget(menus.MODEL, "lab", choices=models)
    cond = lab.is_conditional(model_id)
    classes = menus.class_options(dataset)[1:]
    mode = widget(lab.MODE, "lab", radio=True)
    c1, c2 = st.sidebar.columns(2)
    seed_a = widget(lab.SEED_A, "lab", c1)
    seed_b = widget(lab.SEED_B, "lab", c2)
    class_a = widget(lab.CLASS_A, "lab", c1, choices=classes) if cond else None
    class_b = widget(lab.CLASS_B, "lab", c2, choices=classes) if cond else None
    try:
        a = st.session_state.get("lab_a_override") or lab.seed_point(dataset, model_id, seed_a, class_a)
        b = st.session_state.get("lab_b_override") or lab.seed_point(dataset, model_id, seed_b, class_b)
    except GenLabError as e:
        st.error(str(e))
        return
    overridden = [e for e in "ab" if st.session_state.get(f"lab_{e}_override") is not None]
    if overridden and st.sidebar.button("Back to the seeds", key="lab_reset"):
        for e in overridden:
            st.session_state[f"lab_{e}_override"] = None
        st.rerun()
    view = {"seed_a": seed_a, "class_a": class_a, "seed_b": seed_b, "class_b": class_b, "t": _lab_t(), "mode": mode}
    publish("lab", dataset, model_id, view)
    st.image(lab.strip(dataset, model_id, a, b, mode), caption="A → B in 9 steps")
    _lab_slider(dataset, model_id, a, b, mode)

    with st.expander("Walk through keyframes → GIF / MP4"):
        w1, w2, w3 = st.columns(3)
        seeds = widget(lab.SEEDS, "lab", w1)
        classes_text = widget(lab.CLASSES, "lab", w1) if cond else ""
        frames = widget(lab.FRAMES, "lab", w2)
        fps = widget(lab.FPS, "lab", w2)
        size = widget(lab.SIZE, "lab", w3)
        loop = widget(lab.LOOP, "lab", w3)
        fmt = widget(lab.FORMAT, "lab", w3, radio=True)
        if st.button("Make walk", key="lab_walk"):
            with sentences(forget="lab_walk_result"):
                path, caption = lab.export_walk(dataset, model_id, seeds, classes_text, frames, fps, size, loop,
                                                mode, fmt)
                st.session_state.lab_walk_result = (Path(path).read_bytes(), fmt, caption)
        walk = st.session_state.get("lab_walk_result")
        if walk:
            data, kind, caption = walk
            (st.image if kind == "gif" else st.video)(data)
            st.download_button(f"Download .{kind}", data, file_name=f"genlab-walk.{kind}", key="lab_download",
                               mime="image/gif" if kind == "gif" else "video/mp4")
            st.caption(caption)

    if lab.has_encoder(model_id):
        with st.expander("Draw or upload → encode → use as an endpoint"):
            e1, e2 = st.columns(2)
            label = widget(lab.DRAW_CLASS, "lab", e1, choices=classes) if cond else None
            which = widget(lab.WHICH, "lab", e2, radio=True)
            d1, d2 = st.columns(2)
            with d1:
                drawn = drawing_canvas("lab_canvas")
            upload = d2.file_uploader("…or upload a digit or garment (PNG, JPEG, GIF, BMP, WebP, TIFF)",
                                      key="lab_upload")
            source = drawn if drawn is not None else (upload.getvalue() if upload is not None else None)
            digest = hash((source, model_id, dataset, label, which)) if source is not None else None
            if source is not None and digest != st.session_state.get("lab_encoded_digest"):
                with sentences(forget="lab_encoded"):
                    enc = lab.encode_drawing(dataset, model_id, source, label)
                    st.session_state.lab_encoded_digest = digest
                    st.session_state[f"lab_{which.lower()}_override"] = enc.point
                    st.session_state.lab_encoded = (enc, which)
                    st.rerun()
            if st.session_state.get("lab_encoded") is not None:
                enc, end = st.session_state.lab_encoded
                d2.image([lab.big(enc.digit, 4), lab.big(enc.reconstruction, 4)],
                         caption=["what the model saw", "reconstruction"])
                d2.caption(f"{enc.caption} · now endpoint {end}.")

    with st.expander("Semantic directions (PCA, GANSpace) and latent dimensions"):
        d1, d2, d3 = st.columns(3)
        amounts = [widget(lab.DIRECTION, "lab", d1, suffix=str(i), label=f"{lab.DIRECTION.label} {i + 1}")
                   for i in range(lab.DIRECTIONS)]
        dims = {i: widget(lab.DIMENSION, "lab", d2, value=round(float(a.z[i]), 2), suffix=f"{i}_{seed_a}",
                          label=f"{lab.DIMENSION.label}[{i}]") for i in range(min(lab.DIMS, len(a.z)))}
        image, caption = lab.direction_edit(dataset, model_id, a, amounts, lab.moved_dimensions(a, dims))
        d3.image(image, caption="Endpoint A, edited")
        d3.caption(caption)

    if "vae2d" in dict((m, t) for t, m in models):
        with st.expander("2-D latent map (VAE with a 2-D latent)"):
            m1, m2 = st.columns([2, 1])
            view = lab.map_view(dataset, picked=st.session_state.get("lab_map_z"))
            with m1:
                click = clickable_image(view.image, key="lab_map")
            if click is not None:
                z, picked, where = lab.map_pick(dataset, *click)
                st.session_state.lab_map_z, st.session_state.lab_map_pick = z, (picked, where)
                st.rerun()
            m1.caption(view.caption)
            if st.session_state.get("lab_map_pick"):
                picked, where = st.session_state.lab_map_pick
                m2.image(picked, caption=where)

    if lab.can_mix(model_id):
        with st.expander("Style mixing (StyleGAN): coarse styles from A, fine from B", expanded=True):
            m1, m2, m3 = st.columns(3)
            mix_a = widget(lab.MIX_A, "lab", m1)
            mix_b = widget(lab.MIX_B, "lab", m1)
            crossover = widget(lab.CROSSOVER, "lab", m2)
            truncation = widget(lab.TRUNCATION, "lab", m2)
            noise = widget(lab.NOISE, "lab", m3)
            with sentences():
                image, caption = lab.style_mix(dataset, model_id, mix_a, mix_b, crossover, truncation, noise)
                st.image(image, caption=caption)

    with st.expander("Breeding and class arithmetic"):
        b1, b2, b3 = st.columns(3)
        n = widget(lab.CHILDREN, "lab", b1)
        mutation = widget(lab.MUTATION, "lab", b2)
        breed_seed = widget(lab.BREED_SEED, "lab", b3)
        kids, shown = lab.children(dataset, model_id, a, b, n, mutation, breed_seed)
        cols = st.columns(min(8, len(shown)))
        for i, (image, caption) in enumerate(shown):
            col = cols[i % len(cols)]
            col.image(image, caption=caption)
            if col.button("Parent A", key=f"lab_pick{i}"):
                st.session_state.lab_a_override = kids[i]
                st.rerun()
        if cond:
            st.image(lab.class_row(dataset, model_id, a), caption="Endpoint A's latent as every class")


st.title("Latent Lab")
explained("lab")
main()
