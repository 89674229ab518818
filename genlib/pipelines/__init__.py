"""Pipelines: the loops that use a network without being part of it — diffusion sampling (samplers chosen by name)
and diffusion restoration (denoise, inpaint)."""
