from genlib.ui.streamlit_ui import text_page

text_page()
