from genlib.ui.streamlit_ui import compare_page

compare_page()
