"""GenLab's Gradio app: one module per tab; :func:`genlib.frontends.gradio.app.build_demo` assembles them."""
