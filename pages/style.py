from genlib.ui.streamlit_ui import style_page

style_page()
