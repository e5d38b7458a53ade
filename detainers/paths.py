"""Where things live. The project root holds the bundled manifest, data and SQL models."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
DEFAULT_MANIFEST = PROJECT_ROOT / "sources.toml"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "detainers.duckdb"


def landing_dir(warehouse: Path) -> Path:
    """Fetched files, named by sha256, kept beside the warehouse file."""
    return warehouse.parent / "landing"


def build_dir(warehouse: Path) -> Path:
    """Where the next version of the warehouse is built before it is published."""
    return warehouse.parent / ".build"
