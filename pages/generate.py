from genlib.ui.streamlit_ui import generate_page

generate_page()
