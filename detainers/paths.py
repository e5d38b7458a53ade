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
EXPORT_SCRATCH_PREFIX = ".exports-"  # exports not yet moved into place, inside exports/


# A warehouse owns the files of its folder that are about it: its landing zone (with the index
# of what each source's last fetch saw, and downloads not yet whole), its build scratch, its
# exports and the record of which build they are of. The default file, detainers.duckdb, keeps
# the names they always had (landing/, .build/, exports/); another warehouse file in the same
# folder (`--warehouse warehouse/trial.duckdb`) names its own after itself (trial.duckdb.landing/,
# .trial.duckdb.build/, trial.duckdb.exports/), so two warehouses of one folder never write,
# clean up or publish over each other's files.
def _owned(warehouse: Path, default: str, own: str) -> Path:
    return warehouse.parent / (default if warehouse.name == DEFAULT_WAREHOUSE.name else own)


def landing_dir(warehouse: Path) -> Path:
    """Fetched files, named by sha256, kept beside the warehouse file."""
    return _owned(warehouse, "landing", f"{warehouse.name}.landing")


def build_dir(warehouse: Path) -> Path:
    """Where the next version of the warehouse is built before it is published."""
    return _owned(warehouse, ".build", f".{warehouse.name}.build")


def exports_dir(warehouse: Path) -> Path:
    """The marts as Parquet and CSV files, rewritten at each publish."""
    return _owned(warehouse, "exports", f"{warehouse.name}.exports")


def debris(warehouse: Path) -> list[Path]:
    """What killed runs left half-written: downloads and export scratch folders. Only the
    holder of the write lock fetches and exports, so any present when it takes the lock is
    an orphan. (Export scratch beside exports/, where versions before issue 25 wrote it, too.)"""
    legacy = warehouse.parent.glob(EXPORT_SCRATCH_PREFIX + "*") if warehouse.name == DEFAULT_WAREHOUSE.name else []
    return [*landing_dir(warehouse).glob(PARTIAL_PREFIX + "*"), *exports_dir(warehouse).glob(EXPORT_SCRATCH_PREFIX + "*"),
            *legacy]


def files_digest(paths: Iterable[Path], digest=None) -> str:
    """A sha256 of files by name and content: a fingerprint that changes when any of them is
    edited, renamed, added or removed. `digest` may already hold other parts."""
    digest = digest or hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
