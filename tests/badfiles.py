"""Makers of bad (and good) input files for the reliability tests, built from scratch so no
test depends on a file it cannot see."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import openpyxl

HEADER = ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City", "Detainer Lift Reason"]
GOOD = ["10/01/14", "I247D - Immigration Detainer - Request for Voluntary Action", "HARRIS COUNTY JAIL", "TEXAS",
        "HOUSTON", "Detainer Declined by LEA"]
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: how Excel stores an encrypted xlsx


def row(**changes) -> list:
    """GOOD with some columns changed, by a short name: date, type, facility, state, city, lift."""
    keys = ["date", "type", "facility", "state", "city", "lift"]
    values = dict(zip(keys, GOOD)) | changes
    return [values[k] for k in keys]


def good_rows(n: int, start: dt.date = dt.date(2014, 10, 1)) -> list[list]:
    return [row(date=(start + dt.timedelta(days=i % 200)).strftime("%m/%d/%y")) for i in range(n)]


def write_xlsx(path: Path, rows: list[list], sheets: dict[str, list[list]] | None = None) -> Path:
    """One sheet of `rows` (or several, by name); openpyxl writes formulas without a cached value."""
    book = openpyxl.Workbook()
    sheets = sheets or {"Sheet1": rows}
    book.active.title = next(iter(sheets))
    for i, (name, content) in enumerate(sheets.items()):
        sheet = book.active if i == 0 else book.create_sheet(name)
        for values in content:
            sheet.append(values)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list], sep: str = ",", encoding: str = "utf-8", bom: bool = False) -> Path:
    text = "".join(sep.join(str(v) for v in values) + "\n" for values in rows)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def set_error_cell(path: Path, cell: str, error: str = "#DIV/0!") -> Path:
    """Make `cell` an error cell as Excel saves one (t="e"), which openpyxl cannot write."""
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet[cell] = error
    sheet[cell].data_type = "e"
    book.save(path)
    return path


def edit_part(path: Path, change, part: str = "xl/worksheets/sheet1.xml") -> Path:
    """Rewrite one part of an xlsx with `change(bytes) -> bytes`: what openpyxl will not write."""
    with zipfile.ZipFile(path) as book:
        parts = {info.filename: book.read(info) for info in book.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


def set_dimension(ref: str | None):
    """A change for edit_part: the sheet declares `ref` as its range (None: declares none)."""
    replacement = b"" if ref is None else f'<dimension ref="{ref}"/>'.encode()
    return lambda xml: re.sub(rb"<dimension [^>]*/>", replacement, xml)


def add_cell(ref: str, value: str = "x"):
    """A change for edit_part: one more text cell, at `ref` (in a row of its own after the others)."""
    row = re.sub(r"[A-Z]", "", ref)
    cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c></row>'.encode()
    return lambda xml: xml.replace(b"</sheetData>", cell + b"</sheetData>")


SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def write_shared_strings_xlsx(path: Path, strings: list[str], refs: list[int], rows: int) -> Path:
    """A workbook as Excel stores text: each distinct string once, in xl/sharedStrings.xml, and
    each cell a reference to it. Its header is HEADER; each of its `rows` data rows holds, in
    column order, the shared strings `refs` names (one index per column)."""
    write_xlsx(path, [HEADER])
    with zipfile.ZipFile(path) as book:
        parts = {info.filename: book.read(info) for info in book.infolist()}
    columns = [chr(ord("A") + i) for i in range(len(refs))]
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}" t="s"><v>{i}</v></c>' for c, i in zip(columns, refs)) + "</row>"
                   for r in range(2, rows + 2))
    sheet = re.sub(rb"</row>.*</sheetData>", b"</row>" + body.encode() + b"</sheetData>", parts["xl/worksheets/sheet1.xml"], flags=re.S)
    parts["xl/worksheets/sheet1.xml"] = set_dimension(f"A1:{columns[-1]}{rows + 1}")(sheet)
    items = "".join(f"<si><t>{s}</t></si>" for s in strings)
    parts["xl/sharedStrings.xml"] = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                     f'count="{rows * len(refs)}" uniqueCount="{len(strings)}">{items}</sst>').encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/></Types>'.encode())
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Type="{SHARED_STRINGS_REL}" Target="sharedStrings.xml" Id="rIdShared"/></Relationships>'.encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


def write_manifest(path: Path, *sources: dict) -> Path:
    """A sources.toml of these [[source]] entries: text quoted, dates and numbers as TOML has them."""
    def value(v):
        return f'"{v}"' if isinstance(v, (str, Path)) else str(v)

    path.write_text("\n".join("[[source]]\n" + "".join(f"{k} = {value(v)}\n" for k, v in entry.items()) for entry in sources))
    return path
