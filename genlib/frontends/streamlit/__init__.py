"""What GenLab's Streamlit pages (``pages/``) share: the control renderer, the error adapter, pickers and links."""
