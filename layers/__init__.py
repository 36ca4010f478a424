"""Pailin Atlas engine: time-aware historical layers, pure Python (no Streamlit)."""
