"""GenLab's Gradio front end: `python app.py` (http://127.0.0.1:7860). All model logic lives in genlib."""

import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from genlib.frontends.gradio.app import MAX_SESSIONS, MAX_THREADS, build_demo  # noqa: E402

if __name__ == "__main__":
    build_demo().launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
        footer_links=["api"],
        max_threads=MAX_THREADS,
        state_session_capacity=MAX_SESSIONS,
        max_file_size="10mb",  # genlib.inputs' limit, enforced by the server before a file is stored
    )
