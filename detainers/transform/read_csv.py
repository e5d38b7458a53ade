"""Reading a CSV file in batches of published rows (polars), whatever its encoding."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from detainers.errors import LayoutError
from detainers.transform.blank_rows import BlankRuns
from detainers.transform.header import HEADER_SEARCH_ROWS, first_filled, header_index, match_header, raise_if_elsewhere
from detainers.transform.info import ROW, SHEET, WHOLE, ReadInfo
from detainers.transform.limits import ReadLimits
from detainers.schemas.layouts import Layout
from detainers.schemas.reference import failure

TAIL_BYTES = 1 << 20  # where a file's last record is looked for
# Delimiters a header line may use, in the order they are tried: the NPR family's `.csv` files
# are tab-delimited, its `.txt` files comma-delimited.
SEPARATORS = (",", "\t", ";", "|")
SCAN_BYTES = 1 << 24
SAMPLE_BYTES = 1 << 20  # the start and the end of a file, looked at before it is read as it stands
CUT_IN_QUOTES: list[str] = []  # the last record of a file that ends inside a quoted field
# Python's csv refuses a field over 128 KiB: a longer one is read (and its row quarantined,
# transform/limits.py), not an error with no file named.
csv.field_size_limit(1 << 30)


class ReadAgain(Exception):
    """A CSV read as it stands met, past its first batch, bytes it cannot take as they are (a
    byte that is not UTF-8, a lone CR): the file must be read again from its start, carefully
    (read_csv(..., careful=True)), and what was taken of it so far dropped."""


def read_csv(path: Path, layout: Layout, info: ReadInfo, batch_rows: int, limits: ReadLimits,
             careful: bool = False) -> Iterator[pl.DataFrame]:
    """The file's rows in batches. polars reads a UTF-8 file with LF or CRLF line ends where it
    stands, in one pass, checking its bytes as it parses: a byte that is not UTF-8 anywhere in
    the file, or a lone CR (a line end of classic Mac OS, or a file mixing them) that splits a
    record or stands in a value read, makes it refuse or shows in the values. Then the file is
    read carefully instead: decoded (Windows-1252) and its line ends made LFs in memory, as
    before. Met in the first batch, that happens here; later, ReadAgain says so to the loader,
    which has stored earlier batches (a careful read is rare: a first MiB and last MiB that are
    clean UTF-8 with no lone CR, and a lone CR or bad byte only in between)."""
    if careful or not _sample_clean(path):
        yield from _read(path, layout, info, batch_rows, limits, _careful_source(path), fast=False)
        return
    given = 0
    try:
        for batch in _read(path, layout, info, batch_rows, limits, path, fast=True):
            given += 1
            yield batch
    except ReadAgain:
        if given:
            raise
        info.warnings.clear()
        yield from _read(path, layout, info, batch_rows, limits, _careful_source(path), fast=False)


def _read(path: Path, layout: Layout, info: ReadInfo, batch_rows: int, limits: ReadLimits, source,
          fast: bool) -> Iterator[pl.DataFrame]:
    """The rows of `source` (the file, or its bytes decoded with LF line ends); `fast`: read as
    it stands, so bytes polars refuses or a CR in a value mean ReadAgain."""
    where = f"{path.name}"
    separator, top, at = find_separator(source, layout)
    info.delimiter = separator
    header_row = layout.header_row if at is None else at + 1
    header = top[header_row - 1] if len(top) >= header_row else []
    if at is None:
        for candidate in SEPARATORS:
            raise_if_elsewhere(_csv_rows(source, HEADER_SEARCH_ROWS, candidate), layout, where)
    columns = match_header(header, layout, where, info)
    info.sheets = [""]
    names = [str(c).strip() for c in header]
    scan = pl.scan_csv(
        source,
        separator=separator,
        skip_rows=header_row - 1,
        infer_schema=False,
        new_columns=[f"_c{i}" for i in range(len(names))],
        schema_overrides={f"_c{pos}": pl.Categorical for at in columns.values() for pos in at},  # text by code: values.py
        row_index_name=ROW,
        row_index_offset=header_row + 1,
    )
    select = [pl.col(ROW).cast(pl.Int64)] + [first_filled([pl.col(f"_c{pos}") for pos in at]).alias(name)
                                             for name, at in columns.items()]
    runs = BlankRuns(columns, layout, limits.max_blank_rows, where)
    batches = scan.select(select).collect_batches(chunk_size=batch_rows)
    last = _unterminated_last_record(source, separator)
    if last is not None and (last is CUT_IN_QUOTES or len(last) < len(names)):  # polars pads a short row: mark it
        batches = _last_row_not_whole(batches)
    try:
        for batch in batches:
            if fast and _holds_cr(batch, list(columns)):
                raise ReadAgain(where)
            yield from runs.take(batch.with_columns(pl.lit("").alias(SHEET)))
    except pl.exceptions.ComputeError as exc:  # polars' own message is long and names no row
        if fast and _refused_bytes(exc):
            raise ReadAgain(where) from None
        raise LayoutError(_csv_fault(source, path, len(names), separator, exc)) from None
    info.note(runs.end())


def _holds_cr(batch: pl.DataFrame, names: list[str]) -> bool:
    """Whether a value read holds a CR, which polars keeps where a lone CR ends a line: judged
    on each column's distinct values, not its rows."""
    for name in names:
        values = batch[name].unique().drop_nulls()
        if len(values) and values.cast(pl.String).str.contains("\r", literal=True).any():
            return True
    return False


def _refused_bytes(exc: Exception) -> bool:
    """polars refused bytes a careful read takes: not UTF-8, or a record split by a lone CR
    into more fields than the header has."""
    text = str(exc)
    return "utf-8" in text or "utf8" in text or "more fields" in text


def find_separator(source, layout: Layout) -> tuple[str, list[list[str]], int | None]:
    """The delimiter (SEPARATORS, in order) under which the file's first rows hold the layout's
    header, those rows, and where the header is. When none does, the one that splits the
    expected header row into the most fields (for the error that follows)."""
    wanted = layout.header_row - 1 + max(layout.header_within_rows, 1)
    tried = []
    for separator in SEPARATORS:
        top = _csv_rows(source, wanted, separator)
        at = header_index(top, layout)
        if at is not None:
            return separator, top, at
        row = top[layout.header_row - 1] if len(top) >= layout.header_row else []
        tried.append((len(row), -len(tried), separator, top))
    _, _, separator, top = max(tried)
    return separator, top, None


def _unterminated_last_record(source, separator: str) -> list[str] | None:
    """The fields of the file's last record when the file does not end with a line break, as
    a file cut off in the middle of its last row does not; None when it does; CUT_IN_QUOTES when
    it ends inside a quoted field (its last row is cut, however many fields polars makes of it)."""
    if isinstance(source, bytes):
        tail = source[-TAIL_BYTES:]
    else:
        with open(source, "rb") as fh:
            fh.seek(max(0, fh.seek(0, io.SEEK_END) - TAIL_BYTES))
            tail = fh.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return None
    text = tail.decode("utf-8", errors="replace")
    # The record starts after the last line break outside quotes: the nearest from the end
    # after which the quotes pair up (a quoted field holds an even number of them).
    start = len(text)
    while (start := text.rfind("\n", 0, start)) >= 0 and text.count('"', start) % 2:
        continue
    if start < 0:  # no record start after which the quotes pair up: the file ends inside a quoted field
        return CUT_IN_QUOTES
    return next(csv.reader(io.StringIO(text[start + 1:]), delimiter=separator), [])


def _last_row_not_whole(batches: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """The batches, with the last row of the last marked as not read whole (WHOLE)."""
    previous = None
    for batch in batches:
        if batch.height:
            if previous is not None:
                yield previous
            previous = batch
    if previous is not None:
        yield previous.with_columns(pl.int_range(previous.height).lt(previous.height - 1).alias(WHOLE))


def _csv_fault(source, path: Path, width: int, separator: str, exc: Exception) -> str:
    """Say which row breaks the CSV: one with more fields than the header, or bad quoting."""
    data = source if isinstance(source, bytes) else path.read_bytes()
    try:
        for number, fields in enumerate(csv.reader(io.StringIO(data.decode("utf-8", errors="replace")), delimiter=separator), start=1):
            if len(fields) > width:
                return f"{path.name}: row {number} has {len(fields)} fields, but the header has {width}"
    except csv.Error as bad:
        return f"{path.name}: is not valid CSV ({bad})"
    return f"{path.name}: is not valid CSV ({str(exc).splitlines()[0]})"


def _sample_clean(path: Path) -> bool:
    """Whether the file's first and last MiB are UTF-8 with LF or CRLF line ends (no byte-order
    mark, no lone CR): most files that are not show it there, and are read carefully at once."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        fh.seek(max(size - SAMPLE_BYTES, len(head)))
        tail = fh.read()
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return False
    continuation = bytes(range(0x80, 0xC0))  # a character cut by the tail's start is not a fault
    for sample in (head, tail.lstrip(continuation)):
        if not (sample.isascii() or _decodes(sample)):
            return False
        if sample.rstrip(b"\r").count(b"\r") != sample.count(b"\r\n"):  # a CR at the edge: its LF may follow
            return False
    return not (tail or head).endswith(b"\r")


def _decodes(data: bytes) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data)  # not final: the sample may end inside a character
        return True
    except UnicodeDecodeError:
        return False


def _careful_source(path: Path):
    """polars reads UTF-8 only: a file in another encoding (latin-1, Windows-1252) is decoded
    here; and it ends lines at LF only (a CRLF's CR is dropped), so a file with lines ended by
    a lone CR (classic Mac OS), or mixing them in, has them made LFs. Both are rare: such a
    file is rewritten in memory, after one pass over it to see whether it must be. A UTF-8
    file with LF or CRLF line ends is read where it is."""
    raw = path.read_bytes() if path.stat().st_size < 1 << 20 else None
    sample = raw if raw is not None else _head(path, 1 << 20)
    if sample.startswith(b"\xef\xbb\xbf"):
        data = (raw if raw is not None else path.read_bytes())[3:]
    elif sample.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        data = (raw if raw is not None else path.read_bytes()).decode("utf-16", errors="replace").encode("utf-8")
    else:
        utf8, lone_cr = _scan(raw if raw is not None else path)
        if utf8 and not lone_cr:
            return raw if raw is not None else path
        data = raw if raw is not None else path.read_bytes()
        if not utf8:
            data = _from_cp1252(data, path)
    return _lf_ended(data)


def _from_cp1252(data: bytes, path: Path) -> bytes:
    """Windows-1252 as UTF-8. Five bytes are undefined in it: a file holding one is neither
    encoding (another code page, or not text at all), and guessing would load wrong names."""
    try:
        return data.decode("cp1252").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise LayoutError(failure("not_text", file=path.name, offset=exc.start, byte=data[exc.start])) from None


def _lf_ended(data: bytes) -> bytes:
    if data.count(b"\r") == data.count(b"\r\n"):
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _scan(source) -> tuple[bool, bool]:
    """Whether the whole file is UTF-8 (a Windows-1252 byte may first appear far past any
    sample), and whether a CR stands anywhere but before an LF, in one pass of chunks (CRs are
    counted, not searched: both counts run at memory speed; a CRLF cut by a chunk's end is
    counted whole with the next chunk)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lone_cr, carry = True, False, b""
    chunks = [source] if isinstance(source, bytes) else _chunks(source)
    for chunk in chunks:
        if utf8 and not (chunk.isascii() and not decoder.getstate()[0]):  # ASCII is UTF-8: no decoding needed
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8 = False
        if not lone_cr and (carry or b"\r" in chunk):
            text = carry + chunk
            carry = b"\r" if text.endswith(b"\r") else b""
            body = text[:-1] if carry else text
            lone_cr = body.count(b"\r") != body.count(b"\r\n")
        else:
            carry = b""
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    return utf8, lone_cr or bool(carry)


def _chunks(path: Path):
    with open(path, "rb") as fh:
        while chunk := fh.read(SCAN_BYTES):
            yield chunk


def _csv_rows(source, n: int, separator: str = ",") -> list[list[str]]:
    data = source if isinstance(source, bytes) else _head(source, 1 << 20)
    text = io.StringIO(data[: 1 << 20].decode("utf-8", errors="replace"))
    return [row for _, row in zip(range(n), csv.reader(text, delimiter=separator))]


def text_head(path: Path) -> bytes:
    """The file's first MiB as UTF-8 with LF line ends, for finding its header (a stray byte
    of another encoding cannot hide a header: it becomes U+FFFD)."""
    head = _head(path, 1 << 20).removeprefix(b"\xef\xbb\xbf")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="replace").encode("utf-8")
    return _lf_ended(head.decode("utf-8", errors="replace").encode("utf-8"))


def _head(path: Path, size: int) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(size)
