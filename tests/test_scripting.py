"""The README's "Scripting GenLab" examples run, as printed, against a live server, and the API names every
parameter (issue 17)."""

import re

import pytest

from conftest import ROOT


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Scripting GenLab", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1
    return blocks[0]


def test_no_endpoint_has_an_unnamed_parameter(server):
    from gradio_client import Client

    info = Client(server, verbose=False).view_api(return_format="dict", print_info=False)
    names = {ep: [p["parameter_name"] for p in spec["parameters"]] for ep, spec in info["named_endpoints"].items()}
    assert len(names) >= 20
    unnamed = {ep: n for ep, n in names.items() if any(re.fullmatch(r"param_\d+", x) for x in n)}
    assert not unnamed, unnamed
    assert names["/generate"][:5] == ["dataset", "model", "klass", "seed", "n"]
    klass = info["named_endpoints"]["/generate"]["parameters"][2]["type"]
    assert klass["type"] == "integer" and -1 in klass["enum"]


def test_the_class_is_taken_as_its_schema_says(server):
    from gradio_client import Client

    client = Client(server, verbose=False, download_files=False)
    as_text = client.predict(dataset="mnist", model="cdcgan", klass="7", seed=1, n=4, api_name="/generate")[1]
    as_int = client.predict(dataset="mnist", model="cdcgan", klass=7, seed=1, n=4, api_name="/generate")[1]
    assert "· 7 ·" in as_text and "· 7 ·" in as_int
    with pytest.raises(Exception, match="not in the list of choices"):
        client.predict(dataset="mnist", model="cdcgan", klass=12, api_name="/generate")


@pytest.mark.slow
def test_the_readme_examples_run(server):
    code = readme_example()
    scope = {"URL": server}
    exec(compile(code, "README.md (Scripting GenLab)", "exec"), scope)  # noqa: S102 - the project's own README
    from pathlib import Path

    assert Path(scope["grid"]).stat().st_size > 1000 and Path(scope["walk"]).read_bytes()[:3] == b"GIF"
    assert Path(scope["digit_wav"]).read_bytes()[:4] == b"RIFF" and len(scope["probabilities"]["data"]) == 10
    assert scope["text"].startswith("The secret of") and "Ma" in scope["names"]
    assert scope["chat"][-1]["role"] == "assistant" and ": finished" in scope["status"]
