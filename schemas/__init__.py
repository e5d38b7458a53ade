"""What data must look like: the canonical detainer row (canonical.py), each release layout
(layouts/*.toml) and its pandera model (published.py), and the reference data and rules
normalization, validation and the SQL models read (reference/).

Nothing here reads a file of a source or touches the warehouse: the pipeline (detainers/)
applies these definitions.
"""

from pathlib import Path


def rule_files() -> list[Path]:
    """The data files that decide how rows are read, normalized, validated and reconciled:
    layouts and reference data (published figures included)."""
    from detainers.schemas import layouts, reference

    folder = reference.REFERENCE_DIR
    return sorted([*layouts.LAYOUT_DIR.glob("*.toml"), *folder.glob("*.csv"), *folder.glob("*.toml"), *folder.glob("published/*.csv")])
