from genlib.ui.streamlit_ui import voice_page

voice_page()
