"""Text tab: character-level Transformer and LSTM models — a streamed continuation with sampling controls and the
next-character view (top-10 probabilities at every step), names by gender, a chatbot, and the bits/char table."""

from __future__ import annotations

import gradio as gr

from genlib.features import opening
from genlib.features import text as tx
from genlib.frontends.gradio.widgets import explained, widget


def tab(demo: gr.Blocks) -> None:

    def on_write(model, prompt, length, temperature, top_k, top_p, seed, stop_at_end):
        written = None
        for written in tx.write(model, prompt, length, temperature, top_k, top_p, seed, stop_at_end):
            top = tx.top_dict(written.steps[-1]) if written.steps else {}
            yield (written.shown, top, written.caption(model, False), gr.update(), None)
        if written is None:
            return
        n = max(1, len(written.steps))
        yield (written.shown, tx.top_dict(written.steps[-1]) if written.steps else {}, written.caption(model, True),
               gr.update(maximum=n, value=n, interactive=n > 1), written)

    def on_step(written, index):
        return tx.step_view(written, index)

    def on_names(model, gender, prefix, count, temperature, seed):
        yield tx.names_markdown(tx.names(model, gender, prefix, count, temperature, seed))

    def on_ask(model, question, history, temperature, seed):
        history = [*(history or []), {"role": "user", "content": question}]
        answer = ""
        for answer in tx.reply(model, question, temperature, seed):
            yield [*history, {"role": "assistant", "content": answer}], ""
        yield [*history, {"role": "assistant", "content": answer or "…"}], ""

    options = tx.model_options()
    with gr.Tab("Text", id="text"):
        explained("text")
        if not options:
            gr.Markdown("**No text models found.** Train one with `genlib text-train gpt --corpus names`.")
        with gr.Tab("Write", id="text-write-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=300):
                    model = widget(tx.MODEL, "tx-model", choices=options, value=tx.default_model())
                    prompt = widget(tx.PROMPT, "tx-prompt", value=tx.example_prompt(tx.default_model()), lines=3,
                                    max_lines=8)
                    temperature = widget(tx.TEMPERATURE, "tx-temperature")
                    top_k = widget(tx.TOP_K, "tx-top-k")
                    top_p = widget(tx.TOP_P, "tx-top-p")
                    with gr.Row():
                        seed = widget(tx.SEED, "tx-seed")
                        length = widget(tx.LENGTH, "tx-length")
                    stop_at_end = widget(tx.STOP_AT_END, "tx-stop")
                    write_button = gr.Button("Write", variant="primary", elem_id="tx-button")
                with gr.Column(scale=2):
                    out = gr.Textbox(label="Prompt + generated text (streamed)", lines=8, max_lines=20,
                                     interactive=False,
                                     elem_id="tx-out")
                    caption = gr.Markdown(elem_id="tx-caption")
                    top = gr.Label(num_top_classes=10, label="Next-character view: the model's top 10 at this step",
                                   elem_id="tx-top")
                    with gr.Accordion("Step through the text", open=False):
                        step = gr.Slider(1, 2, value=1, step=1, label="Step", interactive=False, elem_id="tx-step")
                        step_text = gr.Textbox(label="Text so far [drawn character]", interactive=False, lines=3,
                                               elem_id="tx-step-text")
                        step_top = gr.Label(num_top_classes=10, label="Top 10 at that step", elem_id="tx-step-top")
                        step_caption = gr.Markdown(elem_id="tx-step-caption")
            written = gr.State(None)
            headers, rows = tx.metrics_rows()
            gr.Dataframe(value=rows, headers=headers, interactive=False, label="Held-out bits per character "
                         "(lower is better; the bigram is the reference)", elem_id="tx-metrics")
            write_button.click(on_write,
                               [model, prompt, length, temperature, top_k, top_p, seed, stop_at_end],
                               [out, top, caption, step, written], api_name="text_write")
            step.change(on_step, [written, step], [step_text, step_top, step_caption], api_name=False)

            def on_open():
                w = opening.get("write")
                if w is None:
                    return gr.skip(), gr.skip(), gr.skip()
                return w.shown, tx.top_dict(w.steps[-1]) if w.steps else {}, w.caption(tx.default_model(), True)
            demo.load(on_open, None, [out, top, caption], api_name=False)
            model.change(tx.example_prompt, model, prompt, api_name=False)
        with gr.Tab("Names", id="text-names-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    n_model = widget(tx.MODEL, "tn-model", choices=tx.model_options("names"),
                                     value=tx.default_model("names"))
                    gender = widget(tx.GENDER, "tn-gender", radio=True)
                    prefix = widget(tx.PREFIX, "tn-prefix", max_lines=1)
                    count = widget(tx.COUNT, "tn-count")
                    n_temperature = widget(tx.NAMES_TEMPERATURE, "tn-temperature")
                    n_seed = widget(tx.SEED, "tn-seed")
                    names_button = gr.Button("Invent names", variant="primary", elem_id="tn-button")
                with gr.Column(scale=2):
                    names_out = gr.Markdown(elem_id="tn-out")
            names_button.click(on_names, [n_model, gender, prefix, count, n_temperature, n_seed], names_out,
                               api_name="text_names")
            demo.load(lambda: opening.get("names") or gr.skip(), None, names_out, api_name=False)
        with gr.Tab("Chatbot", id="text-chat-tab"):
            with gr.Row():
                with gr.Column(scale=1, min_width=260):
                    c_model = widget(tx.MODEL, "tc-model", choices=tx.model_options("chatbot"),
                                     value=tx.default_model("chatbot"))
                    c_temperature = widget(tx.CHAT_TEMPERATURE, "tc-temperature")
                    c_seed = widget(tx.SEED, "tc-seed")
                    gr.Markdown("A character model trained on chatterbot-corpus' English dialogues: it answers "
                                "one question at a time (it does not remember the conversation).")
                with gr.Column(scale=2):
                    chat = gr.Chatbot(label="Chat", height=360, elem_id="tc-chat")
                    question = gr.Textbox(placeholder="Ask something, e.g. What is your name?", label="Question",
                                          max_lines=2, elem_id="tc-question")
                    ask_button = gr.Button("Ask", variant="primary", elem_id="tc-button")
            for trigger in (ask_button.click, question.submit):
                trigger(on_ask, [c_model, question, chat, c_temperature, c_seed], [chat, question],
                        api_name="text_reply" if trigger == ask_button.click else False)
