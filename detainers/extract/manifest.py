"""The manifest: every source extract the pipeline loads, as data (sources.toml)."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import tomllib
from pathlib import Path
from urllib.parse import quote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator, model_validator

from detainers.errors import DetainersError, ManifestError
from detainers.extract.redact import redact_url
from detainers.extract.meter import MAX_BYTES, MAX_SECONDS, MIN_BYTES_PER_SECOND
from detainers.schemas.layouts import FORMATS, InvalidLayoutFile, Layout, get_layout, known_layouts
from detainers.schemas.reference import Release, as_state_codes, failure, limits, releases

# Layout keys a manifest entry may set for its own file, besides `columns`.
LAYOUT_OPTIONS = ("header_row", "sheets", "date_formats", "redaction_markers", "duplicate_rule", "optional_columns", "formats")
# Settings that decide which rows of a file load (or whether it loads at all): what the file
# may ask of the machine, and the shares of rejects it may hold. A change to one reloads the
# source at the next run (load/identity.py, transform/batches.py); a window, the states or the
# layout change the source's identity themselves.
LOAD_SETTINGS = ("max_unpacked_bytes", "max_compression_ratio", "max_sheet_cells", "max_blank_rows", "max_text_length",
                 "max_decoded_value_bytes", "max_decoded_column_bytes", "max_decoded_batch_bytes", "max_distinct_values",
                 "reject_warn_share", "reject_stop_share")


class Source(BaseModel):
    """One source extract: where it is, how it is laid out, which dates it is trusted for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    # Where its file is. An entry naming a known release may leave it out: the catalog's address
    # (or the manifest's `mirror`) is used.
    url: str
    # Whether the URL may be shown whole (messages, logs, the warehouse, Prefect). By default
    # only its scheme, host and file name are (extract/redact.py): the full URL lives here only.
    url_public: bool = False
    # None: the file must be a known release (schemas/reference/releases.csv), recognized by
    # its bytes once fetched (detainers/extract/releases.py), which then gives its layout.
    layout: str | None = None
    release: str = ""  # a catalog id (its layout, window and extraction date apply), or free text
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    reject_warn_share: float = Field(default=0.001, ge=0, le=1)
    reject_stop_share: float = Field(default=0.05, ge=0, le=1)
    max_bytes: int = Field(default=MAX_BYTES, gt=0)  # a download or local file larger than this is refused
    max_seconds: float = Field(default=MAX_SECONDS, gt=0)  # a fetch (retries included) not done by then fails
    min_bytes_per_second: float = Field(default=MIN_BYTES_PER_SECOND, ge=0)  # slower, over 30 s, fails; 0: no minimum
    # What the file may ask of the machine when it is read (defaults: schemas/reference/limits.toml).
    max_unpacked_bytes: int = Field(default=limits()["max_unpacked_bytes"], gt=0)
    max_compression_ratio: float = Field(default=limits()["max_compression_ratio"], gt=1)
    max_sheet_cells: int = Field(default=limits()["max_sheet_cells"], gt=0)
    max_blank_rows: int = Field(default=limits()["max_blank_rows"], ge=0)
    max_text_length: int = Field(default=limits()["max_text_length"], gt=0)  # characters of one value
    # bytes a value, a column of a batch, and a batch may hold once decoded (an xlsx's shared
    # strings and a Parquet dictionary counted as expanded), checked before the reader expands them
    max_decoded_value_bytes: int = Field(default=limits()["max_decoded_value_bytes"], gt=0)
    max_decoded_column_bytes: int = Field(default=limits()["max_decoded_column_bytes"], gt=0)
    max_decoded_batch_bytes: int = Field(default=limits()["max_decoded_batch_bytes"], gt=0)
    max_distinct_values: int = Field(default=limits()["max_distinct_values"], gt=0)  # of a field naming places or kinds
    # A file shaped like `layout` but with its own column names: {published name: canonical field}.
    columns: dict[str, str] | None = None
    layout_options: dict[str, object] | None = None  # overrides of LAYOUT_OPTIONS for this file
    # Where the source holds data: two-letter codes (full names accepted). None: every state
    # and territory of schemas/reference/states.csv. Trusted on (its window) x (its states).
    states: tuple[str, ...] | None = None
    extracted_on: dt.date | None = None  # when the release was drawn: later outcomes are not in it
    # The catalog release this source is (named by `release`, or recognized by its bytes),
    # and the manifest keys its entry set itself: those always win over the catalog's.
    _catalog_id: str | None = PrivateAttr(default=None)
    _given: frozenset[str] = PrivateAttr(default=frozenset())

    @field_validator("states", mode="before")
    @classmethod
    def _states_as_codes(cls, states):
        if states is None:
            return None
        if isinstance(states, str) or not states:
            raise ValueError("give a list of states, e.g. states = [\"PA\"]")
        try:
            return as_state_codes(states)
        except ValueError as exc:
            raise ValueError(f"unknown state(s) {exc}") from None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Source":
        if self.window_start and self.window_end and self.window_start > self.window_end:
            raise ValueError(f"window_start {self.window_start} is after window_end {self.window_end}")
        if self.reject_warn_share > self.reject_stop_share:
            raise ValueError("reject_warn_share is above reject_stop_share")
        if self.extracted_on and self.window_end and self.extracted_on < self.window_end:
            raise ValueError(f"extracted_on {self.extracted_on} is before the window ends ({self.window_end}): "
                             "a release holds no detainer prepared after it was drawn")
        if self.extracted_on and self.extracted_on > dt.date.today():
            raise ValueError(f"extracted_on {self.extracted_on} is in the future")
        return self

    @property
    def shown_url(self) -> str:
        """The URL as it may be stored and shown (extract/redact.py)."""
        return redact_url(self.url, self.url_public)

    @property
    def catalog_id(self) -> str | None:
        return self._catalog_id

    def sets(self, key: str) -> bool:
        """Whether the manifest entry itself sets `key` (not the catalog, not a default)."""
        return key in self._given

    def as_release(self, release: Release) -> "Source":
        """This source as the catalog's release: its layout, window and extraction date where
        the entry sets none, and the release's id as `release` unless the entry names one. A
        ValueError says why the entry's own keys cannot stand beside the release's (a window
        that ends after the release was drawn)."""
        facts = {"layout": release.layout, "window_start": release.window_start, "window_end": release.window_end,
                 "extracted_on": release.extracted_on, "release": release.id}
        copy = self.model_copy(update={k: v for k, v in facts.items() if not self.sets(k) or (k == "release" and not self.release)})
        copy._catalog_id, copy._given = release.id, self._given
        try:
            copy._dates_in_order()  # model_copy does not validate: the entry's window meets the release's dates here
        except ValueError as exc:
            raise ValueError(f"{exc} (release {release.id}; set extracted_on in the entry if it was drawn later)") from None
        return copy

    @property
    def load_settings(self) -> str:
        """LOAD_SETTINGS as this entry has them (with the defaults), as one JSON text."""
        return json.dumps({key: getattr(self, key) for key in LOAD_SETTINGS}, sort_keys=True)

    @property
    def formats(self) -> tuple[str, ...]:
        """What its file may be: its layout's formats; any, while its layout awaits recognition."""
        return self.resolved_layout().formats if self.layout else FORMATS

    @property
    def layout_name(self) -> str:
        """The layout's name ("" while it awaits recognition); a manifest mapping adds a hash of
        itself, so changing it reloads."""
        if not (self.columns or self.layout_options):
            return self.layout or ""
        spec = json.dumps([self.columns, self.layout_options], sort_keys=True, default=str)
        return f"{self.layout}+{hashlib.sha256(spec.encode()).hexdigest()[:8]}"

    def resolved_layout(self) -> Layout:
        """The layout the file is read with: the named one, with this entry's mapping applied."""
        if self.layout is None:
            raise DetainersError(f"source {self.name}: its layout is not known yet (its file has not been recognized)")
        base = get_layout(self.layout)
        if self.layout_name == self.layout:
            return base
        return Layout(**{
            **base.model_dump(),
            **(self.layout_options or {}),
            "name": self.layout_name,
            "description": f"{base.description}\nColumns mapped by the manifest entry {self.name!r}.",
            "columns": self.columns or base.columns,
        })


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path
    sources: tuple[Source, ...]
    # A folder of copies of known releases, or an http(s) base: entries naming a release and no
    # url fetch it from here by its published file name instead of from its publisher.
    mirror: str | None = None

    def select(self, names: list[str] | None) -> tuple[Source, ...]:
        """The sources named (all when none are), in the order given."""
        if not names:
            return self.sources
        by_name = {s.name: s for s in self.sources}
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise ManifestError(f"{self.path}: no source named {_with_hints(unknown, by_name)}")
        return tuple(by_name[n] for n in names)

    def overlapping(self, start: dt.date, end: dt.date) -> tuple[Source, ...]:
        """The sources whose trusted window shares a day with [start, end]; no window: always."""
        if start > end:
            raise DetainersError(f"the range starts ({start}) after it ends ({end})")
        return tuple(
            s for s in self.sources
            if (s.window_start is None or s.window_start <= end) and (s.window_end is None or s.window_end >= start)
        )


# The largest integer a setting may hold: DuckDB, polars and the operating system take 64-bit
# integers, and TOML's own integers stop here too (a larger one is no limit anybody means).
LARGEST_INTEGER = 2**63 - 1


def load_manifest(path: Path) -> Manifest:
    """Read and check a manifest; every problem is reported with the file and source named."""
    path = Path(path)
    data = _read_toml(path)
    too_large = _integers_too_large(data)
    if too_large:
        raise ManifestError(failure("integer_too_large", file=path, setting=too_large[0], largest=LARGEST_INTEGER))

    unknown_tables = set(data) - {"defaults", "source", "mirror"}
    if unknown_tables:
        raise ManifestError(f"{path}: unknown table(s) {_with_hints(unknown_tables, ['defaults', 'source', 'mirror'])}")
    mirror = data.get("mirror")
    if mirror is not None and (not isinstance(mirror, str) or not mirror.strip()):
        raise ManifestError(f"{path}: mirror: give a folder or an http(s) address, e.g. mirror = \"downloads/\"")
    defaults = data.get("defaults", {})
    entries = data.get("source", [])
    if not isinstance(defaults, dict) or not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ManifestError(f"{path}: each source is a table written [[source]], and the defaults one written [defaults]")
    if not entries:
        raise ManifestError(f"{path}: lists no [[source]]")

    sources = []
    for number, entry in enumerate(entries, start=1):
        label = f"{path}: source #{number} ({entry.get('name', 'unnamed')})"
        sources.append(_parse_source(_addressed({**defaults, **entry}, mirror, path.parent), label, path.parent))
    names = [s.name for s in sources]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ManifestError(f"{path}: source name(s) used more than once: {', '.join(duplicated)}")
    return Manifest(path=path, sources=tuple(sources), mirror=mirror)


def _addressed(entry: dict, mirror: str | None, base: Path) -> dict:
    """An entry that names a known release and no url, with the release's address: its file by
    its published name in the mirror, else the catalog's public address (shown whole)."""
    release = releases().get(entry.get("release")) if isinstance(entry.get("release"), str) else None
    if "url" in entry or release is None:
        return entry
    if mirror is None:
        return {"url_public": True, **entry, "url": release.url}
    if urlsplit(mirror).scheme in ("http", "https"):
        return {**entry, "url": f"{mirror.rstrip('/')}/{quote(release.file)}"}
    folder = Path(mirror).expanduser()
    return {**entry, "url": str((folder if folder.is_absolute() else base / folder) / release.file)}


def _read_toml(path: Path) -> dict:
    """The manifest's TOML as data. A byte-order mark (Notepad writes one) is read past; text
    that is not UTF-8, and nesting too deep for the parser, are one line each."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"manifest not found: {path}") from None
    except IsADirectoryError:
        raise ManifestError(f"{path}: is a folder, not a manifest file") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ManifestError(failure("manifest_not_utf8", file=path, offset=exc.start)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ManifestError(failure("toml_too_deep", file=path)) from None


def _integers_too_large(value, where: str = "") -> list[str]:
    """The keys (dotted, with [index] for arrays) holding an integer beyond 64 bits."""
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [where] if not -LARGEST_INTEGER - 1 <= value <= LARGEST_INTEGER else []
    if isinstance(value, dict):
        return [key for k, v in value.items() for key in _integers_too_large(v, f"{where}.{k}" if where else str(k))]
    if isinstance(value, list):
        return [key for i, v in enumerate(value) for key in _integers_too_large(v, f"{where}[{i + 1}]")]
    return []


def _parse_source(entry: dict, label: str, base: Path) -> Source:
    try:
        source = Source(**entry)
    except ValidationError as exc:
        raise ManifestError(f"{label}: {_describe(exc)}") from None
    source._given = frozenset(entry)
    if source.release in releases():
        try:
            source = source.as_release(releases()[source.release])
        except ValueError as exc:
            raise ManifestError(f"{label}: {exc}") from None
    try:
        layouts = known_layouts()
    except InvalidLayoutFile as exc:
        raise ManifestError(str(exc)) from None
    if source.layout is None:
        if source.columns or source.layout_options:
            raise ManifestError(f"{label}: `columns` and `layout_options` map a file onto a layout: set `layout` too")
    elif source.layout not in layouts:
        raise ManifestError(f"{label}: unknown layout {_with_hints({source.layout}, layouts)}")
    unknown_options = set(source.layout_options or {}) - set(LAYOUT_OPTIONS)
    if unknown_options:
        raise ManifestError(f"{label}: unknown layout option(s) {_with_hints(unknown_options, LAYOUT_OPTIONS)}")
    try:
        if source.layout:
            source.resolved_layout()
    except ValidationError as exc:
        raise ManifestError(f"{label}: its column mapping is not a valid layout: {_describe(exc)}") from None
    scheme = urlsplit(source.url).scheme
    if scheme in ("http", "https"):
        return source
    if scheme not in ("", "file") and len(scheme) > 1:  # one letter: a Windows drive
        raise ManifestError(f"{label}: only http, https and local paths can be fetched, not {scheme!r}")
    local = Path(urlsplit(source.url).path if scheme == "file" else source.url).expanduser()
    return source.model_copy(update={"url": str(local if local.is_absolute() else (base / local).resolve())})


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"])
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown key {_with_hints({where}, Source.model_fields)}")
        elif err["type"] == "missing" and where == "url":
            parts.append("url: give the file's address or path, or name a known release (`detainers releases` lists them)")
        else:
            message = err["msg"].removeprefix("Value error, ")
            parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts)


def _with_hints(names, choices) -> str:
    out = []
    for name in sorted(names):
        close = difflib.get_close_matches(name, list(choices), n=1)
        out.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return ", ".join(out)
