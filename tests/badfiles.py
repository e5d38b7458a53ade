"""Makers of bad (and good) input files for the reliability tests, built from scratch so no
test depends on a file it cannot see."""

from __future__ import annotations

import datetime as dt
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
