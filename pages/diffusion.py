from genlib.ui.streamlit_ui import diffusion_page

diffusion_page()
