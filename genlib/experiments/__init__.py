"""Experiments that use the trained models as tools (``genlib experiment NAME``)."""
