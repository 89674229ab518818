"""Front-end helpers: registry → widgets. Only this package imports gradio or streamlit."""
