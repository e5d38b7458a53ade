"""What data must look like: the canonical detainer row (canonical.py), each release layout
(layouts/*.toml) and its pandera model (published.py), and the reference data and rules
normalization, validation and the SQL models read (reference/).

Nothing here reads a file of a source or touches the warehouse: the pipeline (detainers/)
applies these definitions.
"""

from pathlib import Path

SCHEMAS_DIR = Path(__file__).parent


def rule_files() -> list[Path]:
    """The data files that decide how rows are read, normalized and validated: layouts and
    reference data. A change to any of them changes what a load derives from its file."""
    return sorted([*SCHEMAS_DIR.glob("layouts/*.toml"), *SCHEMAS_DIR.glob("reference/*.csv"),
                   *SCHEMAS_DIR.glob("reference/*.toml")])
