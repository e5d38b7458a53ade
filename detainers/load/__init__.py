"""Load: validated rows into the build's raw.detainers and their rejects into audit.rejects
(raw.py), the manifest's view of each source into audit.sources (sources.py), and what
identifies a load, so an unchanged source is not loaded again (identity.py)."""
