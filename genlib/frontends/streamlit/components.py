"""Three small Streamlit components (Components v2, inline HTML/JS, no build step): a drawing canvas (also a mask
painter over an image), a clickable image, and a frame scrubber. Streamlit has none of them built in; the Latent Lab
page needs all three (draw a digit; click the latent map; move along A → B) and the Diffusion page paints inpainting
masks."""

from __future__ import annotations

import base64
import io

import streamlit as st
from PIL import Image

_CANVAS_JS = """
export default function(component) {
  const { parentElement, data, setStateValue } = component;
  let root = parentElement.querySelector('.genlab-canvas');
  const mask = !!data.background;  // mask mode: paint translucent red over an image; the PNG keeps only the paint
  if (!root) {
    root = document.createElement('div');
    root.className = 'genlab-canvas';
    root.innerHTML = `<canvas width="${data.size}" height="${data.size}"
        style="border:1px solid #999;border-radius:6px;touch-action:none;cursor:crosshair;background:#fff;
               background-size:100% 100%;image-rendering:pixelated"></canvas>
      <div style="margin-top:6px"><button class="use">${data.label}</button> <button class="clear">Clear</button></div>`;
    parentElement.appendChild(root);
    const canvas = root.querySelector('canvas');
    const ctx = canvas.getContext('2d');
    const clear = () => {
      if (mask) { ctx.clearRect(0, 0, canvas.width, canvas.height); }
      else { ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, canvas.width, canvas.height); }
    };
    clear();
    ctx.lineWidth = data.stroke; ctx.lineCap = 'round'; ctx.lineJoin = 'round';
    ctx.strokeStyle = mask ? 'rgba(255,48,48,0.65)' : '#000';
    let drawing = false;
    const at = (e) => { const r = canvas.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };
    canvas.addEventListener('pointerdown', (e) => { drawing = true; ctx.beginPath(); ctx.moveTo(...at(e)); });
    canvas.addEventListener('pointermove', (e) => { if (drawing) { ctx.lineTo(...at(e)); ctx.stroke(); } });
    window.addEventListener('pointerup', () => { drawing = false; });
    root.querySelector('.clear').onclick = () => { clear(); if (mask) setStateValue('png', null); };
    root.querySelector('.use').onclick = () => setStateValue('png', canvas.toDataURL('image/png'));
  }
  if (mask) root.querySelector('canvas').style.backgroundImage = `url(${data.background})`;
}
"""

_CLICK_JS = """
export default function(component) {
  const { parentElement, data, setTriggerValue } = component;
  let img = parentElement.querySelector('img.genlab-click');
  if (!img) {
    img = document.createElement('img');
    img.className = 'genlab-click';
    img.style.cursor = 'crosshair';
    img.style.maxWidth = '100%';
    parentElement.appendChild(img);
    img.addEventListener('click', (e) => {
      const r = img.getBoundingClientRect();
      if (!img.naturalWidth || !r.width) return;  // not decoded yet: a click now would have no pixel
      setTriggerValue('click', { x: (e.clientX - r.left) * img.naturalWidth / r.width,
                                 y: (e.clientY - r.top) * img.naturalHeight / r.height });
    });
  }
  if (img.src !== data.src) img.src = data.src;
}
"""

_SCRUB_JS = """
export default function(component) {
  const { parentElement, data, setTriggerValue } = component;
  let root = parentElement.querySelector('.genlab-scrub');
  if (!root) {
    root = document.createElement('div');
    root.className = 'genlab-scrub';
    root.innerHTML = `<label style="display:block;font-size:14px;margin-bottom:4px"></label>
      <input class="genlab-t" type="range" min="0" step="1" style="width:100%;accent-color:var(--st-primary-color)">
      <img class="genlab-frame" style="display:block;margin-top:8px;image-rendering:pixelated">
      <div class="genlab-caption" style="font-size:13px;opacity:0.7"></div>`;
    parentElement.appendChild(root);
    const input = root.querySelector('input');
    // a step swaps in a frame the page already holds: no server round trip while scrubbing; t reaches the server
    // when the slider is released, or 300 ms after the last step (arrow keys)
    let timer = null;
    const commit = () => { clearTimeout(timer); root.send('t', Number(input.value) / root.steps); };
    input.addEventListener('input', () => {
      root.show(Number(input.value));
      clearTimeout(timer);
      timer = setTimeout(commit, 300);
    });
    input.addEventListener('change', commit);
  }
  const input = root.querySelector('input'), img = root.querySelector('img');
  root.send = setTriggerValue;  // this render's: a setter kept from an earlier render may talk to a gone instance
  root.steps = data.frames.length - 1;
  root.show = (i) => {
    img.src = data.frames[i];
    root.querySelector('.genlab-caption').textContent = `t = ${(i / root.steps).toFixed(2)} (${data.mode})`;
  };
  root.querySelector('label').textContent = data.label;
  img.style.width = img.style.height = `${data.size}px`;
  input.max = String(root.steps);
  if (root.placed !== data.index || root.framesKey !== data.key) {  // the server moved t, or new endpoints
    input.value = String(data.index);
    root.placed = data.index;
  }
  root.framesKey = data.key;
  root.dataset.server = String(data.index);  // the step the server last drew (tests wait on it)
  root.show(Number(input.value));
}
"""

_canvas = st.components.v2.component("genlab_canvas", js=_CANVAS_JS)
_scrub = st.components.v2.component("genlab_frame_scrubber", js=_SCRUB_JS)
_click = st.components.v2.component("genlab_click_image", js=_CLICK_JS)


def _data_url(image: Image.Image) -> str:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def drawing_canvas(key: str, size: int = 280, stroke: int = 18, background: Image.Image | None = None,
                   label: str = "Use drawing") -> bytes | None:
    """A white canvas to draw on with the mouse or a finger; returns the PNG bytes after the button, else None.
    With ``background`` it becomes a mask painter: red paint over that image, and the PNG holds only the paint (its
    alpha channel marks the painted pixels)."""
    data = {"size": size, "stroke": stroke, "label": label,
            "background": _data_url(background) if background is not None else None}
    result = _canvas(key=key, data=data, default={"png": None}, on_png_change=lambda: None)
    url = result.png if result is not None else None
    if not url or not str(url).startswith("data:image/png;base64,"):
        return None
    return base64.b64decode(url.split(",", 1)[1])


def clickable_image(image: Image.Image, key: str) -> tuple[float, float] | None:
    """Shows ``image``; returns the (x, y) pixel that was clicked on this run, else None."""
    result = _click(key=key, data={"src": _data_url(image)}, on_click_change=lambda: None)
    click = result.click if result is not None else None
    return (float(click["x"]), float(click["y"])) if click else None


def frame_scrubber(frames, t: float, key: str, label: str, mode: str, size: int = 224) -> None:
    """A slider over pre-decoded frames ((n, H, W) uint8 for t = 0 … 1 in n − 1 steps) that swaps the shown frame in
    the browser as it moves — no rerun per step. Releasing it reruns the app with its t as a trigger value, read from
    ``st.session_state[key]["t"]`` before the component is drawn (so that run already draws and links the new t).
    ``t`` places the slider when it changes on the server's side (a link, new endpoints)."""
    import hashlib

    import numpy as np

    frames = np.asarray(frames, np.uint8)
    urls = [_data_url(Image.fromarray(f, "L")) for f in frames]
    steps = len(frames) - 1
    data = {"frames": urls, "index": int(round(float(t) * steps)), "label": label, "mode": mode, "size": size,
            "key": hashlib.sha1(frames.tobytes()).hexdigest()[:16]}
    _scrub(key=key, data=data, on_t_change=lambda: None)
