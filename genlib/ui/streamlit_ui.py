"""Streamlit widgets built from the registry (keys are stable and named after the param: tests find them by key)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from genlib import latent
from genlib.errors import GenLabError
from genlib.inputs import EXTENSIONS
from genlib.registry import get_spec
from genlib.serving import load
from genlib.ui import common, lab, opening, share, st_components

UPLOAD_TYPES = tuple(e.lstrip(".") for e in EXTENSIONS)

@st.cache_resource(show_spinner=False)
def warm_openings() -> None:
    """Start computing every page's opening view once per server (genlib.openings keeps them)."""
    opening.warm()


@st.cache_resource(show_spinner="Loading model…")
def _warm(model_id: str, dataset: str) -> None:
    load(model_id, dataset)  # genlib's cache is process-wide; this only shows a spinner on first use


def _widget(p, prefix: str, where=None):
    """The widget for a registry Param, keyed ``<prefix>_<name>``, in the sidebar unless ``where`` says otherwise."""
    where, key = where or st.sidebar, f"{prefix}_{p.name}"
    if p.kind == "choice":
        return where.selectbox(p.label, p.choices, index=p.choices.index(p.default), key=key, help=p.help)
    if p.name == "seed":
        return where.number_input(p.label, int(p.min), int(p.max), int(p.default), 1, key=key, help=p.help)
    if p.kind == "int":
        return where.slider(p.label, int(p.min), int(p.slider_max), int(p.default), int(p.step), key=key, help=p.help)
    return where.slider(p.label, float(p.min), float(p.slider_max), float(p.default), float(p.step), key=key,
                        help=p.help)


def _dataset_picker(key: str) -> str | None:
    """The sidebar's dataset menu (datasets with a trained generator), or a warning and None."""
    datasets = common.dataset_options()
    if not datasets:
        st.warning("No trained checkpoints found. Train one with `genlib train MODEL --dataset mnist`.")
        return None
    labels = {d: t for t, d in datasets}
    return st.sidebar.selectbox("Dataset", list(labels), format_func=labels.get, key=key)


def _restore(tab: str, keys: dict[str, str]) -> bool:
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
    for name, key in keys.items():
        if name in fields:
            st.session_state[key] = fields[name]
    return True


def _publish(tab: str, dataset: str, model_id: str, values: dict) -> None:
    """Keep the address bar on the current view (so it can be copied) and offer the link in the sidebar."""
    if ":" in model_id:  # trained live: private to this session
        st.query_params.clear()
        return
    query = share.fields(tab, dataset, model_id, values)
    st.query_params.from_dict(query)
    with st.sidebar.expander("Link to this view"):
        page = (st.context.url or "").split("?")[0]  # None outside a browser (tests, bare runs)
        st.code(page + "?" + urlencode(query), language=None, wrap_lines=True)


def generate_page() -> None:
    st.title("Generate")
    _explain("generate")
    shared = _restore("generate", {"dataset": "gen_dataset", "model": "gen_model", "class": "gen_class",
                                   **{p.name: f"gen_{p.name}" for p in common.ui_params()}})
    dataset = _dataset_picker("gen_dataset")
    if dataset is None:
        return
    from genlib.ui import live as lv

    models = dict((m, t) for t, m in common.model_options(dataset))
    models.update((m, t) for t, m in lv.menu(st.session_state.get("live_models"), dataset))  # trained here, live
    model_id = st.sidebar.selectbox("Model", list(models), format_func=models.get, key="gen_model")
    spec = get_spec(model_id)
    klass = None
    if spec.conditional:
        classes = common.class_options(dataset)
        names = {i: name for name, i in classes}
        klass = st.sidebar.selectbox("Class", list(names), format_func=names.get, key="gen_class")
    names = common.declared(model_id)
    values = {p.name: _widget(p, "gen") for p in common.ui_params() if p.name in names}
    if "gen_result" not in st.session_state:  # a real result from the first paint: what the defaults give
        st.session_state.gen_result = opening.get("generate")
    _publish("generate", dataset, model_id, {**values, **({"class": klass} if spec.conditional else {})})
    if st.sidebar.button("Generate", type="primary", key="gen_button") or shared:
        try:
            _warm(model_id, dataset)
            st.session_state.gen_result = common.run_generate(dataset, model_id, klass, values)
        except GenLabError as e:
            st.session_state.gen_result = None
            st.error(str(e))
    shown = st.session_state.gen_result
    if shown is not None:
        st.image(shown.image, caption=shown.caption, output_format="PNG")  # exact pixels (not JPEG)
    else:
        st.info(f"{spec.description} Choose the settings in the sidebar and press **Generate**.")


def _lab_t() -> float:
    """The Lab's t: where the scrubber was released on this rerun (its trigger), else where it was before."""
    released = st.session_state.get("lab_scrub")
    if released is not None and released.get("t") is not None:
        st.session_state.lab_t = float(released["t"])
    return st.session_state.get("lab_t", opening.LAB["t"])


def _lab_slider(dataset: str, model_id: str, a, b, mode: str) -> None:
    """The interpolation slider and its frame. The frames for every slider step (t = 0.00 … 1.00) are decoded at once
    (one batch, a few ms) and the browser swaps them as the slider moves — a step costs no rerun at all. Releasing it
    reruns the page once, which keeps t for the link and the other panels. (Not an st.fragment: a component's event
    inside a fragment triggers no rerun in Streamlit 1.67, measured.)"""
    frames = lab.frames(dataset, model_id, a, b, mode, lab.SCRUB_STEPS)
    t = _lab_t()
    st_components.frame_scrubber(frames, t, "lab_scrub", "t (A → B)", mode, size=28 * lab.SHOW)
    st.session_state.lab_frame = lab.big(frames[int(round(float(t) * lab.SCRUB_STEPS))])


def compare_page() -> None:
    st.title("Compare")
    _explain("compare")
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
        with st.spinner("Sampling and measuring…"):
            st.session_state.cmp_result = opening.get("compare")
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


def lab_page() -> None:
    st.title("Latent Lab")
    _explain("lab")
    _restore("lab", {"dataset": "lab_dataset", "model": "lab_model", "mode": "lab_mode", "seed_a": "lab_seed_a",
                     "seed_b": "lab_seed_b", "class_a": "lab_class_a", "class_b": "lab_class_b", "t": "lab_t"})
    dataset = _dataset_picker("lab_dataset")
    if dataset is None:
        return
    models = dict((m, t) for t, m in lab.models(dataset))
    model_id = st.sidebar.selectbox("Model", list(models), format_func=models.get, key="lab_model")
    cond = lab.is_conditional(model_id)
    classes = {i: name for name, i in common.class_options(dataset)[1:]}
    mode = st.sidebar.radio("Interpolation", latent.MODES, horizontal=True, key="lab_mode")
    c1, c2 = st.sidebar.columns(2)
    seed_a = c1.number_input("Seed A", 0, 2**31 - 1, 1, key="lab_seed_a")
    seed_b = c2.number_input("Seed B", 0, 2**31 - 1, 2, key="lab_seed_b")
    class_a = c1.selectbox("Class A", list(classes), format_func=classes.get, key="lab_class_a") if cond else None
    class_b = c2.selectbox("Class B", list(classes), format_func=classes.get, key="lab_class_b") if cond else None
    try:
        a = st.session_state.get("lab_a_override") or lab.seed_point(dataset, model_id, seed_a, class_a)
        b = lab.seed_point(dataset, model_id, seed_b, class_b)
    except GenLabError as e:
        st.error(str(e))
        return
    if st.session_state.get("lab_a_override") is not None and st.sidebar.button("Back to seed A", key="lab_reset"):
        st.session_state.lab_a_override = None
        st.rerun()
    view = {"seed_a": seed_a, "class_a": class_a, "seed_b": seed_b, "class_b": class_b, "t": _lab_t(), "mode": mode}
    _publish("lab", dataset, model_id, view)
    st.image(lab.strip(dataset, model_id, a, b, mode), caption="A → B in 9 steps")
    _lab_slider(dataset, model_id, a, b, mode)

    with st.expander("Walk through keyframes → GIF / MP4"):
        w1, w2, w3 = st.columns(3)
        seeds = w1.text_input("Keyframe seeds", "1,2,3", key="lab_walk_seeds")
        classes_text = w1.text_input("Classes (conditional)", "", key="lab_walk_classes") if cond else ""
        frames = w2.slider("Frames", 2, latent.MAX_FRAMES, 60, key="lab_frames")
        fps = w2.slider("fps", 1, 60, 20, key="lab_fps")
        size = w3.slider("Size (px)", 28, latent.MAX_EXPORT_SIZE, 112, 4, key="lab_size")
        loop = w3.checkbox("Loop", True, key="lab_loop")
        fmt = w3.radio("Format", ["gif", "mp4"], horizontal=True, key="lab_fmt")
        if st.button("Make walk", key="lab_walk"):
            try:
                path, caption = lab.export_walk(dataset, model_id, seeds, classes_text, frames, fps, size, loop,
                                                mode, fmt)
                st.session_state.lab_walk_result = (Path(path).read_bytes(), fmt, caption)
            except GenLabError as e:
                st.session_state.lab_walk_result = None
                st.error(str(e))
        walk = st.session_state.get("lab_walk_result")
        if walk:
            data, kind, caption = walk
            (st.image if kind == "gif" else st.video)(data)
            st.download_button(f"Download .{kind}", data, file_name=f"genlab-walk.{kind}", key="lab_download",
                               mime="image/gif" if kind == "gif" else "video/mp4")
            st.caption(caption)

    if lab.has_encoder(model_id):
        with st.expander("Draw or upload → encode → use as endpoint A"):
            label = st.selectbox("Its class", list(classes), format_func=classes.get, key="lab_draw_class") \
                if cond else None
            d1, d2 = st.columns(2)
            with d1:
                drawn = st_components.drawing_canvas("lab_canvas")
            upload = d2.file_uploader("…or upload a digit or garment (PNG, JPEG, GIF, BMP, WebP, TIFF)",
                                      key="lab_upload")
            source = drawn if drawn is not None else (upload.getvalue() if upload is not None else None)
            digest = hash((source, model_id, dataset, label)) if source is not None else None
            if source is not None and digest != st.session_state.get("lab_encoded_digest"):
                try:
                    enc = lab.encode_drawing(dataset, model_id, source, label)
                    st.session_state.lab_encoded_digest = digest
                    st.session_state.lab_a_override = enc.point
                    st.session_state.lab_encoded = enc
                    st.rerun()
                except GenLabError as e:
                    st.session_state.lab_encoded = None
                    st.error(str(e))
            enc = st.session_state.get("lab_encoded")
            if enc is not None:
                d2.image([lab.big(enc.digit, 4), lab.big(enc.reconstruction, 4)],
                         caption=["what the model saw", "reconstruction"])
                d2.caption(enc.caption + " · now endpoint A.")

    with st.expander("Semantic directions (PCA, GANSpace) and latent dimensions"):
        d1, d2, d3 = st.columns(3)
        amounts = [d1.slider(f"Direction {i + 1}", -3.0, 3.0, 0.0, 0.1, key=f"lab_pc{i}")
                   for i in range(lab.DIRECTIONS)]
        dims = {i: d2.slider(f"z[{i}]", -4.0, 4.0, round(float(a.z[i]), 2), 0.05, key=f"lab_dim{i}_{seed_a}")
                for i in range(min(lab.DIMS, len(a.z)))}
        dims = {i: v for i, v in dims.items() if abs(v - float(a.z[i])) > 0.026}
        image, caption = lab.direction_edit(dataset, model_id, a, amounts, dims)
        d3.image(image, caption="Endpoint A, edited")
        d3.caption(caption)

    if "vae2d" in models:
        with st.expander("2-D latent map (VAE with a 2-D latent)"):
            m1, m2 = st.columns([2, 1])
            view = lab.map_view(dataset, picked=st.session_state.get("lab_map_z"))
            with m1:
                click = st_components.clickable_image(view.image, key="lab_map")
            if click is not None:
                z, picked, where = lab.map_pick(dataset, *click)
                st.session_state.lab_map_z, st.session_state.lab_map_pick = z, (picked, where)
                st.rerun()
            m1.caption(view.caption)
            if st.session_state.get("lab_map_pick"):
                picked, where = st.session_state.lab_map_pick
                m2.image(picked, caption=where)

    with st.expander("Breeding and class arithmetic"):
        b1, b2, b3 = st.columns(3)
        n = b1.slider("Children", 2, 16, 8, key="lab_children")
        mutation = b2.slider("Mutation strength", 0.0, 2.0, 0.3, 0.05, key="lab_mutation")
        breed_seed = b3.number_input("Breeding seed", 0, 2**31 - 1, 0, key="lab_breed_seed")
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


def diffusion_page() -> None:
    from genlib.restoration import MASKS, MODES
    from genlib.ui import diffusion as dif

    st.title("Diffusion")
    _explain("diffusion")
    dataset = _dataset_picker("dif_dataset")
    if dataset is None:
        return
    models = {m: t for t, m in dif.models(dataset)}
    if not models:
        st.warning("No diffusion checkpoint for this dataset yet: `genlib train ddpm --dataset " + dataset + "`.")
        return
    model_id = st.sidebar.selectbox("Model", list(models), format_func=models.get, key="dif_model")
    _warm(model_id, dataset)
    classes = {i: name for name, i in common.class_options(dataset)}
    sample_tab, restore_tab = st.tabs(["Sample", "Restoration"])
    with sample_tab:
        left, right = st.columns([1, 2])
        with left:
            klass = st.selectbox("Class", list(classes), format_func=classes.get, key="dif_class")
            seed = st.number_input("Seed", 0, 2**31 - 1, 0, 1, key="dif_seed")
            n = st.slider("Count", 1, 64, 16, key="dif_n")
            values = {p.name: _widget(p, "dif", st) for p in dif.params(model_id)}
            every = st.slider("Show every k-th step", 1, 50, 2, key="dif_every")
            go = st.button("Sample", type="primary", key="dif_button")
        with right:
            shown = st.empty()
            if go:
                try:
                    for view in dif.stream(dataset, model_id, klass, seed, n, every, values):
                        shown.image(view.image, caption=view.caption)
                    st.session_state.dif_caption = view.caption
                except GenLabError as e:
                    st.error(str(e))
            elif (view := opening.get("diffusion")) is not None and not st.session_state.get("dif_caption"):
                shown.image(view.image, caption=view.caption)  # the opening view: what the defaults give
            else:
                shown.info("Press **Sample** to watch the model turn noise into images: the noisy x_t on the left, "
                           "its current guess of the clean images x̂₀ on the right.")
    with restore_tab:
        left, right = st.columns([1, 2])
        with left:
            mode = st.radio("Task", MODES, horizontal=True, key="res_mode")
            index = st.number_input("Test image number", 0, 10**6, 0, 1, key="res_index")
            upload = st.file_uploader("…or upload your own (optional)", type=list(UPLOAD_TYPES), key="res_upload")
            sigma = st.slider("Noise level σ (denoise)", 0.05, 1.0, 0.3, 0.05, key="res_sigma")
            mask_kind = st.selectbox("Mask (inpaint): paint it, or pick one", ["painted", *MASKS], index=1,
                                     key="res_mask")
            hints = {i: name for name, i in dif.hint_options(dataset)}
            res_class = st.selectbox("Class hint", list(hints), format_func=hints.get, key="res_class")
            steps = st.slider("DDIM steps", 10, 200, 50, 10, key="res_steps")
            res_seed = st.number_input("Seed", 0, 2**31 - 1, 0, 1, key="res_seed")
        with right:
            source = upload.getvalue() if upload is not None else None
            painted = None
            try:
                if mode == "inpaint" and mask_kind == "painted":
                    st.caption("Paint over the part to fill in, then press **Use mask**.")
                    painted = st_components.drawing_canvas("res_canvas", size=dif.CANVAS, stroke=24,
                                                           background=dif.canvas_background(dataset, source, index),
                                                           label="Use mask")
                if st.button("Corrupt and restore", type="primary", key="res_button"):
                    mask = mask_kind
                    if mode == "inpaint" and mask_kind == "painted":
                        if painted is None:
                            raise GenLabError("Paint over the part of the image to fill in and press **Use mask** "
                                              "(or pick a ready-made mask).")
                        from genlib.restoration import mask_from_png

                        mask = mask_from_png(painted)
                    with st.spinner("Restoring…"):
                        view = dif.restore(dataset, model_id, source, index, mode, sigma, mask, res_class, steps,
                                           res_seed)
                    st.session_state.res_view = view
                    for col, (image, caption) in zip(st.columns(3), view.images):
                        col.image(image, caption=caption)
                    st.dataframe([dict(zip(view.headers, row)) for row in view.table], hide_index=True)
                    st.caption(view.caption)
            except GenLabError as e:
                st.error(str(e))


def style_page() -> None:
    """Style transfer: content (preset or upload), style (built-in, picture or upload), blend, strength, size; fast
    result with readouts and a download; the classic optimisation streamed, one run at a time on the server."""
    from genlib import style
    from genlib.ui import style as sty

    st.title("Style transfer")
    _explain("style")
    contents = dict((v, t) for t, v in sty.content_options())
    styles = dict((v, t) for t, v in sty.style_options())
    blends = dict((v, t) for t, v in sty.style_options(blend=True))
    side = st.sidebar
    preset = side.selectbox("Content picture", list(contents), format_func=contents.get, key="sty_content")
    upload = side.file_uploader("…or upload your own content image", type=list(UPLOAD_TYPES), key="sty_content_upload")
    choice = side.selectbox("Style", list(styles), index=list(styles).index("b:19"), format_func=styles.get,
                            key="sty_style")
    style_upload = side.file_uploader("Style image (for 'My style image')", type=list(UPLOAD_TYPES),
                                      key="sty_style_upload")
    blend = side.selectbox("Blend with a second style", list(blends), format_func=blends.get, key="sty_blend")
    ratio = side.slider("Blend ratio (share of the second style)", 0.0, 1.0, 0.5, 0.05, key="sty_ratio")
    strength = side.slider("Style strength", 0.0, 1.0, 1.0, 0.05, key="sty_strength")
    size = side.slider("Output size (longest side, px)", 64, style.MAX_SIZE, style.DEFAULT_SIZE, 32, key="sty_size")
    content = upload.getvalue() if upload is not None else None
    style_file = style_upload.getvalue() if style_upload is not None else None

    fast_tab, classic_tab, gallery_tab = st.tabs(["Fast", "Classic (Gatys)", "Built-in styles"])
    with fast_tab:
        if st.button("Stylize (fast)", type="primary", key="sty_fast"):
            try:
                with st.spinner("Stylising…"):
                    st.session_state.sty_view = sty.run_fast(preset, content, choice, style_file, blend, ratio,
                                                             strength, size)
            except GenLabError as e:
                st.session_state.pop("sty_view", None)
                st.error(str(e))
        if "sty_view" not in st.session_state:
            st.session_state.sty_view = opening.get("style")
        _show_style(st.session_state.get("sty_view"), "sty_download")
    with classic_tab:
        left, right = st.columns([1, 2])
        with left:
            c_size = st.slider("Size (px)", 64, 512, style.CLASSIC_SIZE, 32, key="sty_c_size")
            steps = st.slider("Steps", 10, 500, 100, 10, key="sty_c_steps")
            style_weight = st.slider("Style weight", 1, 1000, 100, 1, key="sty_c_style_weight")
            content_weight = st.slider("Content weight", 0.0, 10.0, 1.0, 0.1, key="sty_c_content_weight")
            tv_weight = st.slider("Smoothness (total variation)", 0.0, 5.0, 0.5, 0.1, key="sty_c_tv")
            go = st.button("Run classic (waits its turn)", key="sty_classic")
        with right:
            if go:
                bar, shown, note = st.progress(0.0), st.empty(), st.empty()
                try:
                    def waiting(position: int) -> None:
                        note.info(f"Another classic run is in progress; you are number {position} in the queue.")

                    for view in sty.run_classic(preset, content, choice, style_file, c_size, steps, style_weight,
                                                content_weight, tv_weight, on_wait=waiting):
                        note.empty()
                        bar.progress(view.progress, text=view.caption)
                        shown.image(view.after, caption=view.caption)
                    st.session_state.sty_classic_view = view
                    shown.empty()
                except GenLabError as e:
                    st.session_state.pop("sty_classic_view", None)
                    st.error(str(e))
            _show_style(st.session_state.get("sty_classic_view"), "sty_classic_download")
    with gallery_tab:
        st.caption("The 26 built-in styles on one picture; pick one by number in the sidebar's Style menu.")
        try:
            cols = st.columns(7)
            for k, (img, caption) in enumerate(style.gallery()):
                cols[k % 7].image(img, caption=caption)
        except GenLabError as e:
            st.error(str(e))


def _show_style(view, key: str) -> None:
    if view is None:
        st.info("Choose a content picture and a style in the sidebar, then press the button.")
        return
    before, after = st.columns(2)
    before.image(view.before, caption="Before (content)")
    after.image(view.after, caption="After")
    st.markdown(view.caption)
    st.dataframe([dict(zip(["Readout", "Value", "Meaning"], row)) for row in view.rows], hide_index=True)
    if view.download:
        st.download_button("Download (PNG)", Path(view.download).read_bytes(), file_name="stylized.png",
                           mime="image/png", key=key)


def voice_page() -> None:
    """Voice: text to speech, say a digit, morph two voices, recognise a spoken digit — the Voice tab's features."""
    from genlib.audio import tts
    from genlib.ui import voice as vo

    st.title("Voice")
    _explain("voice")
    digits = {k: label for label, k in vo.DIGITS}

    def show(heard, key: str) -> None:
        st.audio(heard.wav_bytes, format="audio/wav")
        st.image(heard.picture, caption="Waveform and mel spectrogram")
        st.caption(heard.caption)
        st.download_button("Download (WAV)", heard.wav_bytes, file_name=f"{key}.wav", mime="audio/wav", key=key)

    speak_tab, digit_tab, morph_tab, rec_tab = st.tabs(["Text to speech", "Say a digit", "Morph", "Recognise"])
    with speak_tab:
        text = st.text_area("Text (English, ≤ 1,000 characters)", vo.EXAMPLE, key="tts_text")
        c1, c2, c3, c4 = st.columns(4)
        speed = c1.slider("Speed", *tts.SPEED, 1.0, 0.05, key="tts_speed")
        noise_scale = c2.slider("Expressiveness (noise scale)", *tts.NOISE, 0.667, 0.01, key="tts_noise")
        noise_w = c3.slider("Rhythm variation (noise w)", *tts.NOISE, 0.8, 0.01, key="tts_noise_w")
        seed = c4.number_input("Seed", 0, 2**31 - 1, 0, 1, key="tts_seed")
        if st.button("Speak", type="primary", key="tts_button"):
            try:
                with st.spinner("Speaking…"):
                    st.session_state.tts_heard = vo.speak(text, speed, noise_scale, noise_w, seed)
            except GenLabError as e:
                st.session_state.pop("tts_heard", None)
                st.error(str(e))
        if "tts_heard" not in st.session_state:
            st.session_state.tts_heard = opening.get("speech")
        if st.session_state.get("tts_heard"):
            show(st.session_state.tts_heard, "tts_download")
    with digit_tab:
        c1, c2, c3 = st.columns(3)
        k = c1.selectbox("Digit", list(digits), index=7, format_func=digits.get, key="vd_digit")
        d_seed = c2.number_input("Voice seed", 0, 2**31 - 1, 0, 1, key="vd_seed")
        temperature = c3.slider("Voice temperature", 0.0, 2.0, 1.0, 0.05, key="vd_temperature")
        if st.button("Say it", type="primary", key="vd_button"):
            try:
                st.session_state.vd_heard = vo.digit(k, d_seed, temperature)
            except GenLabError as e:
                st.session_state.pop("vd_heard", None)
                st.error(str(e))
        if "vd_heard" not in st.session_state:
            st.session_state.vd_heard = opening.get("digit")
        if st.session_state.get("vd_heard"):
            show(st.session_state.vd_heard, "vd_download")
    with morph_tab:
        c1, c2, c3, c4 = st.columns(4)
        a_digit = c1.selectbox("A: digit", list(digits), index=3, format_func=digits.get, key="vm_a_digit")
        a_seed = c2.number_input("A: voice seed", 0, 2**31 - 1, 1, 1, key="vm_a_seed")
        b_digit = c3.selectbox("B: digit", list(digits), index=8, format_func=digits.get, key="vm_b_digit")
        b_seed = c4.number_input("B: voice seed", 0, 2**31 - 1, 2, 1, key="vm_b_seed")
        u1, u2 = st.columns(2)
        a_up = u1.file_uploader("…or A from a recording (WAV)", type=["wav"], key="vm_a_upload")
        b_up = u2.file_uploader("…or B from a recording (WAV)", type=["wav"], key="vm_b_upload")
        t = st.slider("Morph A → B", 0.0, 1.0, 0.5, 0.05, key="vm_t")
        try:
            heard = vo.morph(a_digit, a_seed, b_digit, b_seed, t, a_up.getvalue() if a_up else None,
                             b_up.getvalue() if b_up else None)
            show(heard, "vm_download")
        except GenLabError as e:
            st.error(str(e))
    with rec_tab:
        up = st.file_uploader("A recording of one spoken digit (WAV, ≤ 30 s)", type=["wav"], key="vr_upload")
        if up is not None:
            try:
                caption, rows = vo.recognise(up.getvalue())
                st.markdown(caption)
                st.dataframe([{"Digit": d, "Probability": p} for d, p in rows], hide_index=True)
            except GenLabError as e:
                st.error(str(e))


def text_page() -> None:
    """Text: streamed writing with the next-character view, names by gender, a chatbot — the Text tab's features."""
    from genlib.ui import text as tx

    st.title("Text")
    _explain("text")
    write_tab, names_tab, chat_tab, table_tab = st.tabs(["Write", "Names", "Chatbot", "Bits per character"])
    with write_tab:
        model = _text_model(st, None, "tx_model")
        prompt = st.text_area("Prompt (control tokens work too: <female>, <male>, <last>, <q>…<a>)",
                              tx.example_prompt(model), key="tx_prompt")
        c1, c2, c3, c4, c5 = st.columns(5)
        temperature = c1.slider("Temperature", 0.0, 2.0, 0.8, 0.05, key="tx_temperature")
        top_k = c2.slider("Top-k (0 = off)", 0, 60, 0, 1, key="tx_top_k")
        top_p = c3.slider("Top-p (1 = off)", 0.05, 1.0, 1.0, 0.05, key="tx_top_p")
        seed = c4.number_input("Seed", 0, 2**31 - 1, 0, 1, key="tx_seed")
        length = c5.number_input("Length", 1, 5000, 300, 1, key="tx_length")
        stop_at_end = st.checkbox("Stop where the model ends the example (a fortune, a name, a reply)", True,
                                  key="tx_stop")
        if st.button("Write", type="primary", key="tx_button"):
            box, view = st.empty(), st.empty()
            try:
                for written in tx.write(model, prompt, length, temperature, top_k, top_p, seed, stop_at_end,
                                        every=0.1):
                    box.text(written.shown)
                    if written.steps:
                        _top_chart(view, tx.top_dict(written.steps[-1]))
                st.session_state.tx_written = (model, written)
            except GenLabError as e:
                st.session_state.pop("tx_written", None)
                st.error(str(e))
        if "tx_written" not in st.session_state and (w := opening.get("write")) is not None:
            st.session_state.tx_written = (tx.default_model(), w)
        if st.session_state.get("tx_written"):
            used, written = st.session_state.tx_written
            st.caption(written.caption(used, True))
            if len(written.steps) > 1:
                i = st.slider("Step through the text", 1, len(written.steps), len(written.steps), key="tx_step")
            else:
                i = 1
            so_far, top, sentence = tx.step_view(written, i)
            st.text(so_far)
            st.markdown(sentence)
            _top_chart(st, top)
    with names_tab:
        c1, c2, c3 = st.columns(3)
        if n_model := _text_model(c1, "names", "tn_model"):
            gender = c2.radio("Kind", ["female", "male", "surname"], horizontal=True, key="tn_gender")
            prefix = c3.text_input("Starts with (optional)", "", max_chars=30, key="tn_prefix")
            c4, c5, c6 = st.columns(3)
            count = c4.slider("How many", 1, 30, 10, key="tn_count")
            n_temperature = c5.slider("Temperature", 0.1, 2.0, 0.8, 0.05, key="tn_temperature")
            n_seed = c6.number_input("Seed", 0, 2**31 - 1, 0, 1, key="tn_seed")
            if st.button("Invent names", type="primary", key="tn_button"):
                try:
                    st.markdown(tx.names_markdown(tx.names(n_model, gender, prefix, count, n_temperature, n_seed)))
                except GenLabError as e:
                    st.error(str(e))
            elif (found := opening.get("names")) is not None:
                st.markdown(found)  # the opening view: what the defaults give
    with chat_tab:
        c1, c2, c3 = st.columns(3)
        if c_model := _text_model(c1, "chatbot", "tc_model"):
            c_temperature = c2.slider("Temperature", 0.0, 2.0, 0.6, 0.05, key="tc_temperature")
            c_seed = c3.number_input("Seed", 0, 2**31 - 1, 0, 1, key="tc_seed")
            history = st.session_state.setdefault("tc_history", [])
            for role, content in history:
                st.chat_message(role).write(content)
            if question := st.chat_input("Ask something, e.g. What is your name?", key="tc_input"):
                st.chat_message("user").write(question)
                try:
                    answer = st.chat_message("assistant").write_stream(
                        _growing(tx.reply(c_model, question, c_temperature, c_seed)))
                    history += [("user", question), ("assistant", answer)]
                except GenLabError as e:
                    st.error(str(e))
    with table_tab:
        headers, rows = tx.metrics_rows()
        st.dataframe([dict(zip(headers, r)) for r in rows], hide_index=True)


def _text_model(where, corpus: str | None, key: str) -> str | None:
    """A model menu for ``corpus`` (None: every text model), or a hint and None when none is installed."""
    from genlib.ui import text as tx

    labels = {mid: label for label, mid in tx.model_options(corpus)}
    if not labels:
        where.info(f"No {corpus or 'text'} model is installed: `genlib text-train gpt --corpus {corpus or 'names'}`.")
        return None
    ids = list(labels)
    return where.selectbox("Model", ids, index=ids.index(tx.default_model(corpus)), format_func=labels.get, key=key)


def _top_chart(where, top: dict[str, float]) -> None:
    """The next-character view: the top 10, likeliest first, as horizontal bars."""
    import pandas as pd

    frame = pd.DataFrame({"character": list(top), "probability": list(top.values())})
    where.bar_chart(frame, x="character", y="probability", horizontal=True, sort="-probability")


def live_page() -> None:
    from genlib.ui import live as lv

    st.title("Live training")
    _explain("live")
    titles = {k: t for t, k in lv.MODEL_OPTIONS}
    kind = st.sidebar.radio("Model", list(titles), format_func=titles.get, key="live_model")
    datasets = {d: t for t, d in lv.DATASET_OPTIONS}
    dataset = st.sidebar.selectbox("Dataset", list(datasets), format_func=datasets.get, key="live_dataset")
    seconds = st.sidebar.slider("Train for (seconds)", lv.SECONDS["min"], lv.SECONDS["max"], lv.SECONDS["default"],
                                lv.SECONDS["step"], key="live_seconds")
    seed = st.sidebar.number_input("Seed", 0, 2**31 - 1, 0, key="live_seed")
    if st.sidebar.button("Start training", type="primary", key="live_start"):
        try:
            st.session_state.live_job = lv.start(kind, dataset, seconds, seed, st.session_state.get("live_job"))
        except GenLabError as e:
            st.error(str(e))
    for col, action in zip(st.sidebar.columns(3), ("pause", "resume", "stop")):
        if col.button(action.title(), key=f"live_{action}"):
            try:
                lv.control(st.session_state.get("live_job"), action)
            except GenLabError as e:
                st.error(str(e))
    v = lv.view(st.session_state.get("live_job"))
    st.fragment(_live_view, run_every=lv.POLL_S if v is not None and v.active else None)()


def _live_view() -> None:
    """The job's grid, curves and status; refreshed every second while it waits or trains."""
    from genlib.ui import live as lv

    v = lv.view(st.session_state.get("live_job"))
    if v is None:
        goal = opening.get("live")
        if goal is None:
            st.info("Choose a model in the sidebar and press **Start training**.")
        else:
            st.info(goal.caption)
            st.image(goal.image, caption="The shipped checkpoint's samples")
        return
    (st.info if v.active else st.success if v.model_id else st.warning)(v.caption())
    if v.grid is not None:
        st.image(v.grid, caption="64 samples from the same fixed noise")
    losses, conf = lv.curves(v)
    left, right = st.columns(2)
    left.caption("Losses")
    left.line_chart(losses, x="step", y="value", color="series", height=260)
    right.caption("Domain classifier's score on the samples (1–10)")
    right.line_chart(conf, x="step", y="score", height=260)
    st.session_state.live_models = lv.with_result(st.session_state.get("live_models"), v)
    if not v.active and st.session_state.get("live_watching") == v.job_id:
        st.session_state.live_watching = None
        st.rerun()  # the whole page: stop polling, and the Generate page's menu now lists the result
    if v.active:
        st.session_state.live_watching = v.job_id


def _explain(key: str) -> None:
    """The page's "what you are seeing" text, folded (for use in class)."""
    from genlib.ui import explain

    with st.expander("What you are seeing"):
        st.markdown(explain.text(key))


def _growing(texts):
    """st.write_stream wants new pieces; tx.reply yields the whole text so far."""
    shown = ""
    for t in texts:
        yield t[len(shown):]
        shown = t
