"""Figures others published, kept byte for byte as they published them (read by detainers/transform/normalize.py)."""
