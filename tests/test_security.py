"""Issue 9, security: nothing on a runtime path unpickles (a static check over the code), and file routes of both
front ends refuse path traversal."""

import ast
import urllib.error
import urllib.request

from conftest import ROOT

RUNTIME = [ROOT / "app.py", ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py")),
           *sorted((ROOT / "genlib").rglob("*.py"))]
PICKLING_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "shelve", "marshal"}
# torch.jit.load reads a TorchScript archive (restricted unpickler for constants only); GenLab's one call site checks
# the file's SHA-256 first (genlib/metrics.py)
ALLOWED_JIT = {"genlib/metrics.py"}


def _calls(tree):
    """(call node, owner, name) for every call: ``torch.jit.load(…)`` → owner "jit", name "load"."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute):
                v = f.value
                owner = v.id if isinstance(v, ast.Name) else v.attr if isinstance(v, ast.Attribute) else ""
                yield node, owner, f.attr
            elif isinstance(f, ast.Name):
                yield node, "", f.id


def scan(source: str, rel: str) -> list[str]:
    """Every way ``source`` could unpickle: pickling modules imported, torch.load without weights_only=True,
    np.load with allow_pickle, pandas' read_pickle, torch.jit.load outside its one checked call site."""
    problems = []
    tree = ast.parse(source, filename=rel)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            problems += [f"{rel}:{node.lineno} import {a.name}" for a in node.names
                         if a.name.split(".")[0] in PICKLING_MODULES]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PICKLING_MODULES:
            problems.append(f"{rel}:{node.lineno} from {node.module} import …")
    for node, owner, name in _calls(tree):
        kwargs = {k.arg: k.value for k in node.keywords}
        if owner == "torch" and name == "load":
            wo = kwargs.get("weights_only")
            if not (isinstance(wo, ast.Constant) and wo.value is True):
                problems.append(f"{rel}:{node.lineno} torch.load without weights_only=True")
        if name in ("read_pickle", "load_pickle"):
            problems.append(f"{rel}:{node.lineno} {name}")
        if name == "load" and owner in ("np", "numpy"):
            ap = kwargs.get("allow_pickle")
            if ap is not None and not (isinstance(ap, ast.Constant) and ap.value is False):
                problems.append(f"{rel}:{node.lineno} np.load(allow_pickle=…)")
        if owner == "jit" and name == "load" and rel not in ALLOWED_JIT:
            problems.append(f"{rel}:{node.lineno} torch.jit.load outside {sorted(ALLOWED_JIT)}")
    return problems


def test_no_runtime_code_unpickles():
    problems = []
    for path in RUNTIME:
        rel = path.relative_to(ROOT).as_posix()
        problems += scan(path.read_text(encoding="utf-8"), rel)
    assert not problems, "\n".join(problems)
    assert len(RUNTIME) > 40  # the scan really read the package


def test_the_scanner_catches_each_form():
    src = ("import pickle\nfrom joblib import load\nimport torch, numpy as np\ntorch.load('x')\n"
           "np.load('x', allow_pickle=True)\nimport pandas as pd\npd.read_pickle('x')\n"
           "torch.load('y', weights_only=True)\nnp.load('z')\ntorch.jit.load('m.pt')\nimport dill.settings\n")
    found = scan(src, "genlib/x.py")
    assert [int(p.split(":")[1].split()[0]) for p in found] == [1, 2, 11, 4, 5, 7, 10]
    assert scan("torch.jit.load('m.pt')\n", "genlib/metrics.py") == []


PROBES = [
    "../../../../etc/passwd", "..%2f..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%252f..%252fetc%252fpasswd", "....//....//etc/passwd", "..\\..\\etc\\passwd",
    "%2e%2e%5c%2e%2e%5cetc%5cpasswd", "/etc/passwd", "%2fetc%2fpasswd", "//etc/passwd", "etc/passwd%00.png",
    "..%c0%af..%c0%afetc%c0%afpasswd", "..%ef%bc%8f..%ef%bc%8fetc%ef%bc%8fpasswd",
    "{root}/genlib/hub.py", "{root}/app.py", "{root}/checkpoints/cdcgan-mnist/model.safetensors",
    "{root}/checkpoints/cdcgan-mnist/config.json", "{root}/.git/config", "{root}/requirements.txt",
    "checkpoints/cdcgan-mnist/model.safetensors", "genlib/hub.py", "app.py", ".git/HEAD", "../app.py",
    "../../genlib/cli/__init__.py", "%2e%2e/app.py", "/proc/self/environ", "/root/.bash_history", "~/.ssh/id_rsa",
]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read(200_000)
    except urllib.error.HTTPError as e:
        return e.code, b""


def _status(url: str) -> int:
    return _get(url)[0]


def _secret(probe: str) -> bytes | None:
    """The first bytes of the file a probe aims at, where it exists here (what a leak would contain)."""
    target = probe.replace("{root}", str(ROOT))
    for candidate in (target, ROOT / target, "/" + target.split("etc/")[-1] if "passwd" in target else ""):
        try:
            data = open(candidate, "rb").read(64) if candidate else b""
        except OSError:
            continue
        if data.strip():
            return data
    return b"root:x:0:0" if "passwd" in probe else None


def _probe(base: str, prefixes: list[str], spa_ok: bool = False) -> list[str]:
    """Every probe under every prefix: 400/403/404/405 — or, where the server answers any unknown path with its
    single-page app (Streamlit), that page, never the target's bytes."""
    leaks = []
    for prefix in prefixes:
        for probe in PROBES:
            url = base + prefix + probe.replace("{root}", str(ROOT).lstrip("/"))
            code, body = _get(url)
            secret = _secret(probe)
            if secret and secret in body:
                leaks.append(f"{code} {url} (served the file)")
            elif code not in (400, 403, 404, 405) and not (
                    spa_ok and code == 200 and b"<!doctype html" in body[:4000].lower()):
                leaks.append(f"{code} {url}")
    return leaks


def test_gradio_file_routes_refuse_traversal(server):
    prefixes = ["gradio_api/file=", "gradio_api/file=/", "file=", "gradio_api/static/", "static/", "assets/",
                "gradio_api/upload/"]
    leaks = _probe(server, prefixes)
    assert len(PROBES) * len(prefixes) >= 40 and not leaks, "\n".join(leaks)


def test_streamlit_file_routes_refuse_traversal(streamlit_server):
    prefixes = ["media/", "app/static/", "static/", "component/", "_stcore/"]
    leaks = _probe(streamlit_server, prefixes, spa_ok=True)
    assert not leaks, "\n".join(leaks)


def test_the_probes_reach_live_servers(server, streamlit_server):
    """The probes are not blind: the same servers answer 200 where they should."""
    assert _status(server + "gradio_api/info") == 200
    assert _status(streamlit_server + "_stcore/health") == 200


def test_damaged_checkpoints_are_unavailable_with_a_reason_and_the_app_starts(tmp_path, monkeypatch):
    import json
    import pickle
    import shutil

    from genlib import text
    from genlib.registry import available, unavailable
    from genlib.features import menus

    root = tmp_path / "ckpt"
    for name in ("gan-mnist", "vae-mnist", "dcgan-mnist", "text-gpt-names"):
        shutil.copytree(ROOT / "checkpoints" / name, root / name, ignore=shutil.ignore_patterns("train_state"))
    (root / "gan-mnist" / "model.safetensors").unlink()  # missing
    weights = root / "vae-mnist" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])  # truncated (hash recorded)
    (root / "dcgan-mnist" / "model.safetensors").write_bytes(pickle.dumps({"weights": [1, 2, 3]}))  # a pickle…
    meta = json.loads((root / "dcgan-mnist" / "meta.json").read_text())
    meta.pop("weights_sha256", None)  # …whose meta carries no hash to catch it: the safetensors reader must
    (root / "dcgan-mnist" / "meta.json").write_text(json.dumps(meta))
    tw = root / "text-gpt-names" / "model.safetensors"
    tw.write_bytes(tw.read_bytes()[:-1000])  # truncated, no hash recorded for text models
    monkeypatch.setenv("GENLAB_CHECKPOINTS", str(root))

    bad = {(m, d): why for m, d, why in unavailable()}
    assert set(bad) == {("gan", "mnist"), ("vae", "mnist"), ("dcgan", "mnist")}
    assert "missing" in bad["gan", "mnist"] and "SHA-256" in bad["vae", "mnist"]
    assert "safetensors" in bad["dcgan", "mnist"]
    assert all(str(tmp_path) not in why for why in bad.values())  # no server paths in messages
    offered = {(s.id, d) for s, d, _ in available()}
    assert not offered & set(bad) and ("cdcgan", "mnist") in offered  # the rest still work
    assert [m for m, _ in text.unavailable()] == ["gpt-names"] and "gpt-names" not in [m["id"] for m in text.shipped()]
    notice = menus.unavailable_notice()
    assert "gan on mnist" in notice and "gpt-names" in notice

    from genlib.frontends.gradio.app import build_demo

    from conftest import free_port

    demo = build_demo()
    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    try:
        assert _status(f"http://127.0.0.1:{port}/") == 200
        md = [c for c in demo.config["components"] if c.get("props", {}).get("elem_id") == "unavailable-models"]
        assert md and "dcgan on mnist" in md[0]["props"]["value"]
    finally:
        demo.close()


UI_CODE = [ROOT / "app.py", ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py")),
           *sorted((ROOT / "genlib" / "features").glob("*.py")), *sorted((ROOT / "genlib" / "frontends").rglob("*.py"))]
MUTABLE_CALLS = {"list", "dict", "set", "defaultdict", "OrderedDict", "deque", "Counter", "bytearray"}


def ui_state(source: str, rel: str) -> list[str]:
    """Module-level state in UI code that one user could change under another: mutable containers bound at module
    level, ``global`` rebinding, and home-made module-level caches (``lru_cache``/``cache``: caches of model data
    belong in genlib, next to what they cache)."""
    tree = ast.parse(source, filename=rel)
    found = []
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
        if isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp, ast.DictComp, ast.SetComp)) or (
                isinstance(value, ast.Call) and getattr(value.func, "id", getattr(value.func, "attr", ""))
                in MUTABLE_CALLS):
            found.append(f"{rel}:{node.lineno} module-level mutable {ast.unparse(node)[:60]}")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for d in node.decorator_list:
                name = ast.unparse(d).split("(")[0]
                if name in ("lru_cache", "cache", "functools.lru_cache", "functools.cache"):  # st.cache_resource is
                    # Streamlit's own managed cache for shared resources (models), keyed and thread-safe
                    found.append(f"{rel}:{node.lineno} module-level cache @{name}")
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found.append(f"{rel}:{node.lineno} global {', '.join(node.names)}")
    return found


def test_no_module_level_mutable_state_in_ui_code():
    problems = [p for path in UI_CODE for p in ui_state(path.read_text(encoding="utf-8"),
                                                        path.relative_to(ROOT).as_posix())]
    assert not problems, "\n".join(problems)
    assert len(UI_CODE) > 15


def test_the_ui_state_check_catches_each_form():
    src = ("A = {}\nB = [1]\nC = tuple([1])\nD = dict(a=1)\nE = {k: 1 for k in 'ab'}\n"
           "from functools import lru_cache\n@lru_cache\ndef f():\n    return 1\n"
           "def g():\n    global C\n    C = 2\nF = frozenset({1})\n")
    assert [int(p.split(":")[1].split()[0]) for p in ui_state(src, "x.py")] == [1, 2, 4, 5, 8, 11]
