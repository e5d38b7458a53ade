"""Where things live: the project's own files (SQL models), and the layout of a warehouse's
folder (the published file, its landing zone, its build and export folders, and the names
of what a killed run leaves half-written)."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"
DEFAULT_MANIFEST = PROJECT_ROOT / "sources.toml"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "detainers.duckdb"

PARTIAL_PREFIX = ".partial-"  # a download not yet whole, in the landing zone
EXPORT_SCRATCH_PREFIX = ".exports-"  # exports not yet moved into place, beside exports/


def landing_dir(warehouse: Path) -> Path:
    """Fetched files, named by sha256, kept beside the warehouse file."""
    return warehouse.parent / "landing"


def build_dir(warehouse: Path) -> Path:
    """Where the next version of the warehouse is built before it is published."""
    return warehouse.parent / ".build"


def exports_dir(warehouse: Path) -> Path:
    """The marts as Parquet and CSV files, rewritten at each publish."""
    return warehouse.parent / "exports"


def debris(warehouse: Path) -> list[Path]:
    """What killed runs left half-written: downloads and export scratch folders. Only the
    holder of the write lock fetches and exports, so any present when it takes the lock is
    an orphan."""
    return [*landing_dir(warehouse).glob(PARTIAL_PREFIX + "*"), *warehouse.parent.glob(EXPORT_SCRATCH_PREFIX + "*")]
