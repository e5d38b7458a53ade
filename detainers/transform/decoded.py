"""What a worksheet decodes to, counted from its XML before calamine reads it.

calamine holds a sheet's whole range (32 bytes a cell) and, for each text cell, its own copy of
the text. An xlsx stores each distinct string once (xl/sharedStrings.xml) and its cells refer
to it by number: 190,000 cells of one 100,000-character string are a 3.8 MB file that decodes
to 19 GB, and no limit on the file's size sees it. So a sheet's cells are counted first, with
nothing decoded, in one of two ways:

- quick: at the speed of bytes.count, the sheet's cells and text cells, and a search for a cell
  outside the range it declares. With the longest shared string, that bounds what the sheet
  decodes to, per column and whole. The files Excel and the usual writers make, of the sizes
  real releases have, are vouched for here.
- exact, where the quick bound is over a limit or the sheet is unusual (cells named otherwise
  than `<c r="A1"`, no declared range, inline text): every cell read (polars, a chunk at a
  time): its column and row, and the bytes its text decodes to. A file over a limit then fails
  naming the column.

A shared string's size is the size of its <si> element, an upper bound of its text (markup
and entities only shrink once decoded).
"""

from __future__ import annotations

import re
import zipfile
from array import array
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl

CHUNK = 1 << 24
OVERLAP = 64  # a token cut by a chunk's end is counted whole in the next
CELL_BYTES = 32  # calamine's Data: each cell of a sheet's range
TEXT_CELL_BYTES = 32  # a text value's heap allocation, besides its bytes
LETTERS, DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789"
TEXT_TYPES = ("s", "inlineStr", "str")  # a shared string, inline text, a formula's text
_PREFIX = re.compile(rb"<(\w{1,16}:)?(?:worksheet|sst)[\s>]")
# A cell as the text from its tag's name to the next cell: as Excel and the usual writers put
# it (reference, style, type, value), and its parts one by one for any other.
_USUAL = r'^ r="(?P<column>[A-Z]{1,3})(?P<row>\d{1,9})"(?: s="\d+")?(?: t="(?P<type>\w+)")?(?: s="\d+")?>(?:<v>(?P<index>\d{1,12})</v>)?'
_REF = r"""^[^>]*?\br\s*=\s*["']([A-Z]{1,3})(\d{1,9})["']"""
_TYPE = r"""^[^>]*?\bt\s*=\s*["'](\w+)["']"""
_VALUE = r"<(?:\w{1,16}:)?v>\s*(\d{1,12})\s*</"
_ROW = r"""<(?:\w{1,16}:)?row(?:\s[^>]*?\br\s*=\s*["'](\d{1,9})["'])?"""


@dataclass(frozen=True)
class SharedStrings:
    """The workbook's shared strings: the bytes each may decode to at most, in order."""

    sizes: array
    largest: int = 0

    @classmethod
    def none(cls) -> SharedStrings:
        return cls(array("q"))


def shared_strings(book: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> SharedStrings:
    """The sizes of the shared strings (xl/sharedStrings.xml; none in a workbook without it)."""
    part = next((p for p in parts if p.filename.lower().endswith("sharedstrings.xml")), None)
    if part is None:
        return SharedStrings.none()
    sizes = array("q")
    current, tag, carry = -1, None, b""
    with book.open(part) as fh:
        while chunk := fh.read(CHUNK):
            text = carry + chunk
            if tag is None:
                found = _PREFIX.search(text)
                tag = b"<" + (found.group(1) or b"" if found else b"") + b"si"
            cut = len(text) - len(tag) + 1
            pieces = text[:cut].split(tag)
            if current >= 0:
                current += len(pieces[0])
            for piece in pieces[1:]:
                if current >= 0:
                    sizes.append(current + len(tag))
                current = len(piece)
            carry = text[cut:]
    if current >= 0:
        sizes.append(current + len(tag) + len(carry))
    return SharedStrings(sizes, max(sizes, default=0))


@dataclass
class Decoded:
    """What a sheet holds once decoded: the cells of its range (from A1), and per column its
    text cells, their bytes and the longest of them. `exact`: counted cell by cell."""

    span: int
    last: str = ""  # its last cell, as the range A1:<last> (exact counts)
    text: dict[str, int] = field(default_factory=dict)
    cells: dict[str, int] = field(default_factory=dict)
    longest: dict[str, int] = field(default_factory=dict)
    exact: bool = False
    widest: int | None = None  # counts alone: the text one column can hold at most

    @property
    def columns(self) -> dict[str, int]:
        """Each column's text bytes (counted cell by cell), or the most any holds ('*')."""
        return self.text if self.widest is None else {"*": self.widest}

    @property
    def batch_bytes(self) -> int:
        """The sheet as calamine holds it: its range, and each text value with its allocation."""
        return self.span * CELL_BYTES + sum(self.text.values()) + TEXT_CELL_BYTES * sum(self.cells.values())


def quick(book: zipfile.ZipFile, part: zipfile.ZipInfo, shared: SharedStrings, last_column: str, last_row: int,
          max_decoded_value_bytes: int) -> Decoded | None:
    """The sheet bounded from counts alone (all its columns as one, '*'), or None when counts
    cannot vouch for it: a cell outside its declared range A1:<last_column><last_row>, a cell
    not written `<c r="...`, a namespace prefix, attributes quoted or spaced otherwise than
    Excel does. Text cells are at most the cells that say their type (` t="`); each is a shared
    string (the longest at most), or inline text ("inlineStr", a formula's "str": together no
    more than the sheet's bytes, and each no longer than the stretch between two cells' tags,
    which holds one in every quarter of max_decoded_value_bytes when it is checked here)."""
    # one search (Rust's regex engine, through polars: a pass at the speed of memory, where
    # Python's tries each of millions of cells): a cell beyond the declared range, or not
    # written as Excel writes one, or a prefixed one. Whitespace is XML's four characters, not
    # \s: Unicode's \s leaves the engine no literals to skip ahead by (2.5 times the time)
    unusual = ('<c(?: r="(?:' + _greater_than(last_column, LETTERS) + "[0-9]|[A-Z]+" + _greater_than(str(last_row), DIGITS)
               + r'")| [^r]| r[^=]| r=[^"]|[\t\r\n>/])|:c[ \t\r\n>/]|[ \t\r\n]=|=[ \t\r\n]|=\'')
    window = max(1 << 12, max_decoded_value_bytes // 4)
    typed = cells = inline = 0
    carry = b""
    with book.open(part) as fh, ThreadPoolExecutor(max_workers=1) as reader:
        chunk = fh.read(CHUNK)
        prefixed = _PREFIX.search(chunk[:4096])
        if prefixed and prefixed.group(1):
            return None
        while chunk:
            text = carry + chunk
            following = reader.submit(fh.read, CHUNK)  # unpacked in a thread while this one is searched
            chunk = None
            end = len(text) - OVERLAP
            if any(text.find(b"<c", at, at + window) < 0 for at in range(0, end - window, window)):
                return None  # a stretch with no cell: one long value?
            if pl.Series([text.decode("utf-8", errors="replace")]).str.contains(unusual).item():
                return None  # quotes or spacing other than Excel's, a cell outside the declared range or unlike Excel's
            chunk = following.result()
            end = end if chunk else len(text)
            typed += text.count(b' t="', 0, end)  # every text cell says its type (numbers need not)
            cells += text.count(b'<c r="', 0, end)
            inline += text.count(b'inlineStr"', 0, end) + text.count(b' t="str"', 0, end)
            carry = text[end:]
    # Inline text together is the sheet's bytes but its cells' markup (11 bytes at least a cell,
    # `<c r="A1"/>`, 28 an inline one); each value is no longer than a stretch without a cell.
    inline_bytes = max(0, part.file_size - 11 * cells - 17 * inline) if inline else 0
    longest_inline = min(inline_bytes, 2 * (window + OVERLAP))
    return Decoded(_column_number(last_column) * last_row, f"{last_column}{last_row}",
                   {"*": typed * shared.largest + inline_bytes}, {"*": typed},
                   {"*": max(shared.largest if typed else 0, longest_inline)},
                   widest=min(typed, last_row) * shared.largest + inline_bytes)  # a column holds a cell a row


def exact(book: zipfile.ZipFile, part: zipfile.ZipInfo, shared: SharedStrings, max_decoded_value_bytes: int) -> Decoded:
    """The sheet counted cell by cell: its true range (whatever it declares) and each column's
    text (a shared string by its size; inline text by its cell's)."""
    sizes = pl.Series("size", shared.sizes, dtype=pl.Int64)
    found = Decoded(0, exact=True)
    max_row = max_column = unnamed_cells = unnamed_rows = 0
    carry, tag = "", None
    with book.open(part) as fh:
        while True:
            chunk = fh.read(CHUNK)
            body = carry + chunk.decode("utf-8", errors="replace")
            if tag is None:
                prefixed = _PREFIX.search(body[:4096].encode())
                tag = "<" + (prefixed.group(1).decode() if prefixed and prefixed.group(1) else "") + "c"
            cut = body.rfind(tag) if chunk else len(body)
            if chunk and cut <= 0 and len(body) > max_decoded_value_bytes + OVERLAP:  # one cell longer than any value may be
                column = re.match(r'\s*r\s*=\s*["\']([A-Z]{1,3})', body.removeprefix(tag)) if body.startswith(tag) else None
                key = column.group(1) if column else "?"
                found.longest[key] = max(found.longest.get(key, 0), len(body))
                found.text[key] = found.text.get(key, 0) + len(body)
                found.cells[key] = found.cells.get(key, 0) + 1
                return found
            cells = _cells(body[:max(cut, 0)], tag)
            for column, total, count, most in _text(cells, sizes, shared.largest).rows():
                key = column or "?"
                found.text[key] = found.text.get(key, 0) + total
                found.cells[key] = found.cells.get(key, 0) + count
                found.longest[key] = max(found.longest.get(key, 0), most)
            letters = cells["column"].drop_nulls().unique().to_list()
            max_column = max([max_column, *(_column_number(x) for x in letters)])
            max_row = max(max_row, int(cells["row"].max() or 0))
            unnamed = cells["column"].null_count()
            if unnamed:  # put after the cell before it, in the row named or the next one
                unnamed_cells += unnamed
                rows = pl.Series([body[:max(cut, 0)]]).str.extract_all(_ROW).explode().drop_nulls()
                numbers = rows.str.extract(_ROW, 1).cast(pl.Int64, strict=False)
                max_row = max(max_row, int(numbers.max() or 0))
                unnamed_rows += numbers.null_count()
            carry = body[max(cut, 0):]
            if not chunk:
                break
    # a cell or row naming no place is put after the one before it: each counted as one more column or row
    rows, columns = max_row + unnamed_rows, max_column + unnamed_cells
    found.span, found.last = rows * columns, f"{_column_letters(columns)}{rows}"
    return found


def _cells(body: str, tag: str) -> pl.DataFrame:
    """Every cell of `body` (the text from one cell's tag to the next): its column letters and
    row (null when it names none), its type, the number its value holds, and its length in
    bytes. Cells written as Excel writes them are read by one pattern; others by one each."""
    pieces = pl.Series("cell", [body]).str.split(tag).explode()
    frame = (pl.DataFrame({"cell": pieces}).lazy().filter(pl.col("cell").str.contains(r"^[\s>/]"))
             .with_columns(pl.col("cell").str.extract_groups(_USUAL).alias("usual"), pl.col("cell").str.len_bytes().cast(pl.Int64).alias("length"))
             .unnest("usual"))
    general = {"column": pl.col("cell").str.extract(_REF, 1), "row": pl.col("cell").str.extract(_REF, 2),
               "type": pl.col("cell").str.extract(_TYPE, 1), "index": pl.col("cell").str.extract(_VALUE, 1)}
    usual = pl.col("column").is_not_null()
    return frame.select(
        *(pl.when(usual).then(pl.col(name)).otherwise(expression).alias(name) for name, expression in general.items()),
        "length",
    ).with_columns(pl.col("row").cast(pl.Int64, strict=False), pl.col("index").cast(pl.Int64, strict=False)).collect()


def _text(cells: pl.DataFrame, sizes: pl.Series, largest: int) -> pl.DataFrame:
    """Per column, the text cells' bytes once decoded, their number and the longest: a shared
    string by its size (by the largest when its number is missing or out of range), inline text
    (inlineStr, a formula's str) by its cell's length."""
    text = cells.filter(pl.col("type").is_in(TEXT_TYPES))
    index = text["index"]
    known = index.is_not_null() & (index < len(sizes))
    looked_up = sizes.gather(index.fill_null(0).clip(0, len(sizes) - 1)) if len(sizes) else pl.zeros(text.height, pl.Int64, eager=True)
    size = (pl.when(pl.col("type") != "s").then(pl.col("length"))
            .when(pl.col("known")).then(pl.col("shared"))
            .otherwise(pl.lit(largest, dtype=pl.Int64)))
    return (text.with_columns(known.alias("known"), looked_up.alias("shared"))
            .group_by("column").agg(size.sum().alias("bytes"), pl.len().cast(pl.Int64).alias("cells"), size.max().alias("most")))


def _greater_than(limit: str, alphabet: str) -> str:
    """A regular expression for the strings over `alphabet` (a numbering: '0' < '9', 'A' < 'Z')
    greater than `limit` as numbers: longer ones, those of its length above it, and any with a
    leading zero (which no reference has)."""
    n = len(limit)
    options = [f"[{alphabet}]{{{n + 1},}}"]
    if alphabet[0] == "0":
        options.append("0[0-9]*")
    for i, char in enumerate(limit):
        higher = "".join(c for c in alphabet if c > char)
        if higher:
            options.append(limit[:i] + f"[{higher}]" + (f"[{alphabet}]{{{n - i - 1}}}" if n - i - 1 else ""))
    return "(?:" + "|".join(options) + ")"


def _column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters or "A"


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number
