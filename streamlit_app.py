"""GenLab's Streamlit front end: `streamlit run streamlit_app.py`. Pages live in pages/; logic lives in genlib."""

import logging
import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import streamlit as st  # noqa: E402

from genlib.features.menus import UNEXPECTED, unavailable_notice  # noqa: E402
from genlib.frontends.streamlit.widgets import warm_openings  # noqa: E402

st.set_page_config(page_title="GenLab", layout="wide")
if notice := unavailable_notice():
    st.sidebar.warning(notice)
page = st.navigation([st.Page("pages/generate.py", title="Generate", default=True),
                      st.Page("pages/compare.py", title="Compare"), st.Page("pages/lab.py", title="Latent Lab"),
                      st.Page("pages/diffusion.py", title="Diffusion"), st.Page("pages/style.py", title="Style"),
                      st.Page("pages/voice.py", title="Voice"), st.Page("pages/text.py", title="Text"),
                      st.Page("pages/live.py", title="Live training")])
warm_openings()  # every page's opening view, computed once per server in the background
try:
    page.run()
except Exception:  # noqa: BLE001 - Streamlit's rerun/stop signals are BaseExceptions and pass through
    logging.getLogger("genlab").exception("unexpected error on a Streamlit page")
    st.error(UNEXPECTED)
