"""The front ends: Gradio tabs (``gradio/``), Streamlit helpers for ``pages/`` (``streamlit/``). Only this package,
``pages/`` and the entry files import gradio or streamlit; everything they show comes from ``genlib.features``."""
