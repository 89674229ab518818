"""One module per feature (a tab in Gradio, a page in Streamlit, often a `genlib` command): its actions — plain values
in, small result dataclasses out, one-sentence GenLabErrors — and its declared controls. Nothing here imports gradio
or streamlit; the front ends in genlib/frontends and pages/ render the controls and call the actions."""
