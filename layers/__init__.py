"""Pailin Atlas engine: time-aware historical layers, pure Python (no Streamlit)."""

# The atlas's version, written into every snapshot, handout and citation: change it here only.
__version__ = "0.9.0"
