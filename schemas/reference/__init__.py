"""Reference data as files: mappings, vocabularies and rules that normalization, validation
and the SQL models read. Every CSV here is also loaded into the warehouse's `reference`
schema at each build, so SQL reads the same vocabularies Python does."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import errno
import functools
import os
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

REFERENCE_DIR = Path(__file__).parent
# The reference files normalization and validation read. An edit to one changes the rows a
# load derives from its file, so every source is derived again; the other files (published
# figures, vocabularies of the models) shape only the SQL models. limits.toml is one of them
# for max_text_length (and how a value over it is shown), which decides which rows load.
ROW_RULES = ("states.csv", "lift_reasons.csv", "outcomes.csv", "detainer_forms.csv", "detainer_types.csv", "redactions.csv",
             "placeholder_facilities.csv", "rules.toml", "limits.toml")


def rows(name: str) -> list[dict[str, str]]:
    """The rows of schemas/reference/<name> as dicts of text."""
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def tables() -> list[Path]:
    """Every reference CSV, each loaded as reference.<stem> by the build."""
    return sorted(REFERENCE_DIR.glob("*.csv"))


@functools.cache
def state_codes() -> dict[str, str]:
    """State, DC and territory names, and their codes, to the two-letter code."""
    states = rows("states.csv")
    return {**{r["name"]: r["code"] for r in states}, **{r["code"]: r["code"] for r in states}}


def as_state_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Names or codes of states (any case) as two-letter codes, sorted, each once. A
    ValueError's text lists the unknown ones, each with the closest known name."""
    codes = state_codes()
    keys = {value: str(value).strip().upper() for value in values}
    unknown = [value for value, key in keys.items() if key not in codes]
    if unknown:
        hints = {value: difflib.get_close_matches(keys[value], list(codes), n=1) for value in unknown}
        raise ValueError(", ".join(f"{v!r}" + (f" (did you mean {h[0]!r}?)" if h else "") for v, h in hints.items()))
    return tuple(sorted({codes[key] for key in keys.values()}))


class Tile(NamedTuple):
    """A state's square on the report's tile-grid map: its name, and its row and column."""

    name: str
    row: int
    column: int


@functools.cache
def state_tiles() -> dict[str, Tile]:
    """Each code of states.csv to its tile (state_tiles.csv): a map that needs no geometry."""
    return {r["code"]: Tile(r["name"], int(r["grid_row"]), int(r["grid_column"])) for r in rows("state_tiles.csv")}


@functools.cache
def outcomes_by_lift_reason() -> dict[str, str]:
    return {r["lift_reason"]: r["outcome"] for r in rows("lift_reasons.csv")}


@functools.cache
def outcomes() -> list[str]:
    return [r["outcome"] for r in rows("outcomes.csv")]


@functools.cache
def detainer_forms() -> dict[str, str]:
    """Detainer type code as it starts the published type (I247D) to the form (I-247D)."""
    return {r["code"]: r["form"] for r in rows("detainer_forms.csv")}


@functools.cache
def detainer_types() -> dict[str, str]:
    """Each detainer type as releases spell it (upper case) to its form; a spelling not listed
    is read by its code (detainer_forms)."""
    return {r["detainer_type"].upper(): r["form"] for r in rows("detainer_types.csv")}


@functools.cache
def redactions() -> tuple[str, ...]:
    """How releases spell a redacted cell (b(6), b(7)c ...): unknown, not a value, in every layout."""
    return tuple(r["spelling"] for r in rows("redactions.csv"))


@functools.cache
def placeholder_facilities() -> frozenset[str]:
    return frozenset(r["facility_name"] for r in rows("placeholder_facilities.csv"))


@functools.cache
def duplicate_rules() -> tuple[str, ...]:
    """How a layout's likely duplicates are found; sql/staging/stg_detainer_keys.sql applies them."""
    return tuple(r["rule"] for r in rows("duplicate_rules.csv"))


@functools.cache
def reconciliation_statuses() -> dict[str, dict[str, str]]:
    """What a comparison with a published figure can find, in order, each with its label and
    tone (good, warning, bad); sql/macros/reconciliation_status.sql assigns them."""
    return {r["status"]: r for r in rows("reconciliation_statuses.csv")}


@functools.cache
def rules() -> dict:
    return tomllib.loads((REFERENCE_DIR / "rules.toml").read_text("utf-8"))


@functools.cache
def csv_exports() -> frozenset[str]:
    """The marts exported as CSV beside their Parquet file (exports.toml)."""
    return frozenset(tomllib.loads((REFERENCE_DIR / "exports.toml").read_text("utf-8"))["csv"])


@functools.cache
def limits() -> dict[str, int | float | str]:
    """What a source's file may ask of the machine (limits.toml): defaults of the manifest
    settings of the same names, and how a value over max_text_length is told and shown."""
    return tomllib.loads((REFERENCE_DIR / "limits.toml").read_text("utf-8"))


@functools.cache
def failures() -> dict[str, dict[str, str]]:
    """The failures foreseen (failures.toml): for each key, when it happens and its message."""
    return tomllib.loads((REFERENCE_DIR / "failures.toml").read_text("utf-8"))


def failure(key: str, **fields) -> str:
    """The message of a foreseen failure, its fields filled in."""
    return failures()[key]["message"].format(**fields)


def os_failure(exc: BaseException, path: object = None) -> str | None:
    """The message of a foreseen fault of the file system (the failures.toml entries that list
    `errno` names: a folder that cannot be written, a full disk, a file where a folder is
    needed), or None for any other error. An OSError is known by its errno; another library's
    error (DuckDB's "IO Error: ... No space left on device") by the system's words for one.
    `path`: the file, where the error does not name it."""
    code = exc.errno if isinstance(exc, OSError) else None
    for entry in failures().values():
        for name in entry.get("errno", ()):
            number = getattr(errno, name, None)
            if number is None or not (code == number or (code is None and os.strerror(number) in str(exc))):
                continue
            where = getattr(exc, "filename", None) or path or _quoted_path(str(exc)) or "a file"
            return entry["message"].format(path=where, reason=os.strerror(number).lower())
    return None


def _quoted_path(text: str) -> str | None:
    """The first quoted absolute path of an error's text (DuckDB quotes the file it names)."""
    found = re.search(r"[\"'](/[^\"']+)[\"']", text)
    return found.group(1) if found else None


def earliest_prepare_date() -> dt.date:
    return rules()["earliest_prepare_date"]


class Release(NamedTuple):
    """A known public file of detainer records (releases.csv): where it is published and its
    public address (a Git LFS media or raw address at a fixed commit, so it never moves), its
    exact bytes, the prepare dates it holds, the window it is trusted for in a stitched
    history (None: open-ended), when it was drawn, and how it is laid out. A release that
    `same_records_as` names others holds their records on the days of its window: it stands in
    for them (an alternative), never beside them."""

    id: str
    file: str
    publisher: str
    published_in: str
    url: str
    sha256: str
    bytes: int
    prepare_start: dt.date | None
    prepare_end: dt.date | None
    window_start: dt.date | None
    window_end: dt.date | None
    extracted_on: dt.date | None
    layout: str
    has_lift_dates: bool
    same_records_as: str | None  # the releases (ids, space-separated) whose days it holds too: hold one of them
    shape: str

    @property
    def held_days(self) -> tuple[dt.date, dt.date | None]:
        """The days it can supply: its trusted window within the prepare dates it holds (None: open)."""
        first = max(d for d in (self.window_start, self.prepare_start) if d)
        lasts = [d for d in (self.window_end, self.prepare_end) if d]
        return first, min(lasts) if lasts else None

    @property
    def stands_in_for(self) -> tuple[str, ...]:
        """The releases whose records it holds on its window's days (none: it is the one trusted there)."""
        return tuple((self.same_records_as or "").split())


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


CATALOG = "releases.csv"  # of REFERENCE_DIR


@functools.cache
def releases() -> dict[str, Release]:
    """The catalog of known releases, by id."""
    dates = ("prepare_start", "prepare_end", "window_start", "window_end", "extracted_on")
    return {r["id"]: Release(**{**r, **{k: _date(r[k]) for k in dates}, "bytes": int(r["bytes"]),
                                "has_lift_dates": r["has_lift_dates"] == "true", "same_records_as": r["same_records_as"] or None})
            for r in rows(CATALOG)}


@functools.cache
def release_by_sha256() -> dict[str, Release]:
    return {r.sha256: r for r in releases().values()}


PUBLISHED_FIGURES = REFERENCE_DIR / "published_figures.csv"  # figures others published, to reconcile with
