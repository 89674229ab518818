from genlib.ui.streamlit_ui import live_page

live_page()
