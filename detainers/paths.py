"""Where things live: the project's own files (SQL models, the bundled manifest and extract),
the defaults a command reads and writes in its working directory, and the layout of a
warehouse's folder (the published file, its landing zone, its build and export folders, and
the names of what a killed run leaves half-written)."""

import hashlib
from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The project's own files as a clone lays them out at its top level (sql/, sources.toml,
# data/foia/). A wheel carries the same layout inside the package, as detainers/_shipped/
# (pyproject.toml maps it), so every path below resolves alike installed or in a clone.
_SHIPPED = PACKAGE_DIR / "_shipped"
PROJECT_FILES = _SHIPPED if _SHIPPED.is_dir() else PACKAGE_DIR.parent
SQL_DIR = PROJECT_FILES / "sql"
BUNDLED_MANIFEST = PROJECT_FILES / "sources.toml"  # the bundled FY2015 extract, by a path relative to it

# Defaults of the commands, relative to the working directory they run in.
LOCAL_MANIFEST = Path("sources.toml")
DEFAULT_WAREHOUSE = Path("warehouse") / "detainers.duckdb"


def default_manifest() -> Path:
    """./sources.toml where the working directory has one, else the bundled manifest."""
    return LOCAL_MANIFEST if LOCAL_MANIFEST.is_file() else BUNDLED_MANIFEST

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


def files_digest(paths: Iterable[Path], digest=None) -> str:
    """A sha256 of files by name and content: a fingerprint that changes when any of them is
    edited, renamed, added or removed. `digest` may already hold other parts."""
    digest = digest or hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
