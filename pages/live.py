"""Live training: a small generator trains on the CPU while its samples and curves update; one job per server, the
others wait in line; the result joins this session's model menus."""

import streamlit as st

from genlib.features import live as lv
from genlib.features import opening
from genlib.frontends.streamlit.widgets import explained, sentences, widget


def main() -> None:
    kind = widget(lv.MODEL, "live", radio=True)
    dataset = widget(lv.DATASET, "live")
    seconds = widget(lv.SECONDS, "live")
    seed = widget(lv.SEED, "live")
    switches = []
    if lv.is_gan(kind):
        st.sidebar.caption("**The GAN recipe** — switch an ingredient off and watch what it was doing.")
        switches = [widget(c, "live") for c in lv.RECIPE]
    if st.sidebar.button("Start training", type="primary", key="live_start"):
        with sentences():
            st.session_state.live_job = lv.start(kind, dataset, seconds, seed, *switches,
                                                 previous=st.session_state.get("live_job"))
    for col, action in zip(st.sidebar.columns(3), ("pause", "resume", "stop")):
        if col.button(action.title(), key=f"live_{action}"):
            with sentences():
                lv.control(st.session_state.get("live_job"), action)
    v = lv.view(st.session_state.get("live_job"))
    st.fragment(_live_view, run_every=lv.POLL_S if v is not None and v.active else None)()


def _live_view() -> None:
    """The job's grid, curves and status; refreshed every second while it waits or trains."""
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


st.title("Live training")
explained("live")
main()
