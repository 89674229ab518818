"""Text: streamed writing with the next-character view, names by gender, a chatbot — the Text tab's features."""

import streamlit as st

from genlib.features import opening
from genlib.features import text as tx
from genlib.frontends.streamlit.widgets import explained, sentences, widget


def _text_model(where, corpus: str | None, prefix: str) -> str | None:
    """A model menu for ``corpus`` (None: every text model), or a hint and None when none is installed."""
    options = tx.model_options(corpus)
    if not options:
        where.info(f"No {corpus or 'text'} model is installed: `genlib text-train gpt --corpus {corpus or 'names'}`.")
        return None
    return widget(tx.MODEL, prefix, where, choices=options, value=tx.default_model(corpus))


def _top_chart(where, top: dict[str, float]) -> None:
    """The next-character view: the top 10, likeliest first, as horizontal bars."""
    import pandas as pd

    frame = pd.DataFrame({"character": list(top), "probability": list(top.values())})
    where.bar_chart(frame, x="character", y="probability", horizontal=True, sort="-probability")


def _growing(texts):
    """st.write_stream wants new pieces; tx.reply yields the whole text so far."""
    shown = ""
    for t in texts:
        yield t[len(shown):]
        shown = t


def main() -> None:
    write_tab, names_tab, chat_tab, table_tab = st.tabs(["Write", "Names", "Chatbot", "Bits per character"])
    with write_tab:
        model = _text_model(st, None, "tx")
        prompt = widget(tx.PROMPT, "tx", st, value=tx.example_prompt(model), area=True)
        length, temperature, top_k, top_p, seed = (widget(c, "tx", col) for c, col in zip(tx.WRITE, st.columns(5)))
        stop_at_end = widget(tx.STOP_AT_END, "tx", st)
        if st.button("Write", type="primary", key="tx_button"):
            box, view = st.empty(), st.empty()
            with sentences(forget="tx_written"):
                for written in tx.write(model, prompt, length, temperature, top_k, top_p, seed, stop_at_end,
                                        every=0.1):
                    box.text(written.shown)
                    if written.steps:
                        _top_chart(view, tx.top_dict(written.steps[-1]))
                st.session_state.tx_written = (model, written)
        if "tx_written" not in st.session_state and (w := opening.get("write")) is not None:
            st.session_state.tx_written = (tx.default_model(), w)
        if st.session_state.get("tx_written"):
            used, written = st.session_state.tx_written
            st.caption(written.caption(used, True))
            if len(written.steps) > 1:
                i = st.slider("Step through the text", 1, len(written.steps), len(written.steps), key="tx_step")
            else:
                i = 1
            so_far, top, sentence = tx.step_view(written, i)
            st.text(so_far)
            st.markdown(sentence)
            _top_chart(st, top)
    with names_tab:
        c1, c2, c3 = st.columns(3)
        if n_model := _text_model(c1, "names", "tn"):
            gender = widget(tx.GENDER, "tn", c2, radio=True)
            prefix = widget(tx.PREFIX, "tn", c3, max_chars=30)
            count, n_temperature, n_seed = (widget(c, "tn", col) for c, col in zip(tx.NAMES[2:], st.columns(3)))
            if st.button("Invent names", type="primary", key="tn_button"):
                with sentences():
                    st.markdown(tx.names_markdown(tx.names(n_model, gender, prefix, count, n_temperature, n_seed)))
            elif (found := opening.get("names")) is not None:
                st.markdown(found)  # the opening view: what the defaults give
    with chat_tab:
        c1, c2, c3 = st.columns(3)
        if c_model := _text_model(c1, "chatbot", "tc"):
            c_temperature, c_seed = widget(tx.CHAT_TEMPERATURE, "tc", c2), widget(tx.SEED, "tc", c3)
            history = st.session_state.setdefault("tc_history", [])
            for role, content in history:
                st.chat_message(role).write(content)
            if question := st.chat_input("Ask something, e.g. What is your name?", key="tc_input"):
                st.chat_message("user").write(question)
                with sentences():
                    answer = st.chat_message("assistant").write_stream(
                        _growing(tx.reply(c_model, question, c_temperature, c_seed)))
                    history += [("user", question), ("assistant", answer)]
    with table_tab:
        headers, rows = tx.metrics_rows()
        st.dataframe([dict(zip(headers, r)) for r in rows], hide_index=True)


st.title("Text")
explained("text")
main()
