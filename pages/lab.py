from genlib.ui.streamlit_ui import lab_page

lab_page()
