"""Model families, one file each. Importing this package imports every module in it, which registers its ids: the
classic lineage first (GANs, VAEs, then diffusion), so menus list models in that order; any other file follows."""

import importlib
import pkgutil

_ORDER = ("gan_mlp", "dcgan", "stylegan", "vae", "diffusion")
_names = [m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")]
for _name in sorted(_names, key=lambda n: (_ORDER.index(n) if n in _ORDER else len(_ORDER), n)):
    importlib.import_module(f"{__name__}.{_name}")
