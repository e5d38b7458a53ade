"""Small extracts in the exact published shape of each known layout (LAYOUTS.md): real column
names and order, preamble rows, several sheets, redaction markers. Rows are given as dicts
of the fields a test cares about; every other published column is filled as ICE fills it."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from pathlib import Path

from openpyxl import Workbook
from werkzeug import Request, Response

REDACTED = "b(6), b(7)c"

ERO_COLUMNS = [
    "Detainer Prepare Date", "Facility State", "Facility AOR", "Port of Departure", "Departure Country",
    "Departed Date", "Case Status", "Detainer Criminality", "Detainer Facility", "Detainer Facility Code",
    "Facility City", "Detainer Threat Level", "Gender", "Citizenship Country", "Birth Country", "Birth Date",
    "Birth Year", "Entry Status", "MSC Charge", "MSC Sentence Days", "MSC Sentence Months",
    "MSC Sentence Years", "MSC Charge Code", "MSC Charge Date", "MSC Conviction Date",
    "Aggravated Felon Yes No", "Processing Disposition", "Case Category", "TOA Case Category",
    "TOA Current Program", "Apprehension Method", "Final Order Yes No", "Final Order Date",
    "Apprehension Date", "Entry Date", "Prior Felony Yes No", "Multiple Prior MISD Yes No",
    "Violent Misdemeanor Yes No", "Illegal Entry Yes No", "Illegal Reentry Yes No",
    "Immigration Fraud Yes No", "Significant Risk Yes No", "Other Removal Reason Yes No",
    "Other Removal Reason", "Criminal Street Gang Yes No", "Aggravated Felony Yes No",
    "Deportation Ordered Yes No", "Order to Show Cause Served Yes No",
    "Order to Show Cause Served Date", "Biometric Match Yes No", "Statements Made Yes No",
    "Unlawful Attempt Yes No", "Unlawful Entry Yes No", "Visa Yes No", "Federal Register Notice Yes No",
    "Resume Custody Yes No", "Detainer Lift Reason", "Detainer Lift Reason Code",
    "Active Investigation Yes No", "Arrest Warrant Served Date", "Detainer Type",
    "Notify Release Request Yes No", "TOD Current Duty Site", "EID DTA ID", "Anonymized Identifier",
]
# The earlier release: other names for the same fields.
ERO_EARLY_NAMES = {
    "Detainer Criminality": "Detainer Prepared Criminality", "Detainer Facility": "Detention Facility",
    "Detainer Facility Code": "Detention Facility Code", "Detainer Threat Level": "Detainer Prep Threat Level",
    "MSC Charge": "Most Serious Conviction (MSC) Charge", "Aggravated Felon Yes No": "Felon",
    "TOA Current Program": "Final Program", "Anonymized Identifier": "Unique Identifier",
}
ICFO_COLUMNS = [
    "Detainer ID", "Detainer Prepare Date", "Detainer Type", "Detainer AOR", "Detainer Facility Type",
    "Detainer Detention Facility", "City", "State", "Program", "Alien Number Unique Identifier",
    "Detainer Lift Date", "Detainer Lift Reason",
]
LESA_COLUMNS = ["Prepare Date", "Detainer Type", "Detainer Detention Facility", "State", "City", "Detainer Lift Reason"]

# Field of a test row -> published column, per layout.
ERO_FIELDS = {
    "prepare": "Detainer Prepare Date", "state": "Facility State", "facility": "Detainer Facility",
    "city": "Facility City", "lift_reason": "Detainer Lift Reason", "type": "Detainer Type",
    "person": "Anonymized Identifier", "criminality": "Detainer Criminality", "aor": "Facility AOR",
    "code": "Detainer Facility Code", "citizenship": "Citizenship Country",
}
ICFO_FIELDS = {
    "id": "Detainer ID", "prepare": "Detainer Prepare Date", "type": "Detainer Type", "aor": "Detainer AOR",
    "facility": "Detainer Detention Facility", "city": "City", "state": "State",
    "person": "Alien Number Unique Identifier", "lift_date": "Detainer Lift Date", "lift_reason": "Detainer Lift Reason",
}
LESA_FIELDS = {
    "prepare": "Prepare Date", "type": "Detainer Type", "facility": "Detainer Detention Facility",
    "state": "State", "city": "City", "lift_reason": "Detainer Lift Reason",
}
ERO_DEFAULTS = {
    "Facility AOR": "Houston Area of Responsibility", "Detainer Criminality": "1 Convicted Criminal",
    "Gender": "Male", "Citizenship Country": "MEXICO", "Birth Country": "MEXICO", "Birth Year": 1990,
    "Detainer Type": "I-247A", "Case Status": "ACTIVE", "Final Order Yes No": "NO",
}


def ero_workbook(path: Path, sheets: dict[str, list[dict]], *, early: bool = False, birth_date: bool = True) -> Path:
    """An ICE ERO release: six preamble rows, the header on row 7, one or more sheets."""
    columns = [c for c in ERO_COLUMNS if birth_date or c != "Birth Date"]
    names = [ERO_EARLY_NAMES.get(c, c) if early else c for c in columns]
    preamble = [
        ["ICE Enforcement and Removal Operations (ERO) Detainers"],
        ["FOIA Request Number: 2025-ICLI-00019"],
        ["Data as of 2025-06-26"],
        ["Note: Detainers prepared in the period; a person may have several detainers."],
        ["Note: Redacted cells read b(6), b(7)c."],
        [],
    ]
    rows = {name: [_published(r, ERO_FIELDS, ERO_DEFAULTS, columns) for r in data] for name, data in sheets.items()}
    return _workbook(path, preamble, names, rows)


ICFO_PREAMBLE = [["ICE Detainers FY2017-FY2025"], ["FOIA 2025-ICFO-18038"], []]


def icfo_workbook(path: Path, sheets: dict[str, list[dict]], preamble: list[list] = ICFO_PREAMBLE) -> Path:
    """2025-ICFO-18038: a short preamble (here the header is on row 4), several sheets."""
    defaults = {"Detainer Facility Type": "County Jail", "Program": "CAP", "Detainer Type": "I-247A",
                "Detainer AOR": "Los Angeles Area of Responsibility"}
    rows = {name: [_published(r, ICFO_FIELDS, defaults, ICFO_COLUMNS) for r in data] for name, data in sheets.items()}
    return _workbook(path, preamble, ICFO_COLUMNS, rows)


def lesa_csv(path: Path, rows: list[dict]) -> Path:
    """An FY2008-FY2014 LESA-STU CSV file: six columns, dates written MM/DD/YY."""
    defaults = {"Detainer Type": "I247 - Immigration Detainer - Notice of Action (prior to March 2013)"}
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(LESA_COLUMNS)
        for row in rows:
            values = _published(row, LESA_FIELDS, defaults, LESA_COLUMNS)
            writer.writerow([v.strftime("%m/%d/%y") if isinstance(v, dt.date) else v for v in values])
    return path


def _published(row: dict, fields: dict, defaults: dict, columns: list[str]) -> list:
    by_column = {**defaults, **{fields[k]: v for k, v in row.items()}}
    return [by_column.get(c, "") for c in columns]


def _workbook(path: Path, preamble: list[list], header: list[str], sheets: dict[str, list[list]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for line in preamble + [header] + rows:
            sheet.append(line)
    book.save(path)
    return path


class ReleaseServer:
    """Serves files from a pytest-httpserver like a real release site: ETag and
    Last-Modified on every 200, and 304 to a conditional request for an unchanged file."""

    LAST_MODIFIED = "Wed, 25 Jun 2025 12:00:00 GMT"

    def __init__(self, httpserver):
        self.httpserver = httpserver
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, int, dict]] = []  # (path, status, conditional headers)

    def publish(self, url_path: str, content: bytes) -> str:
        if url_path not in self.files:
            self.httpserver.expect_request(url_path).respond_with_handler(self._handle)
        self.files[url_path] = content
        return self.httpserver.url_for(url_path)

    def _handle(self, request: Request) -> Response:
        body = self.files[request.path]
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        conditional = {k: request.headers[k] for k in ("If-None-Match", "If-Modified-Since") if k in request.headers}
        status = 304 if conditional.get("If-None-Match") == etag else 200
        self.requests.append((request.path, status, conditional))
        headers = {"ETag": etag, "Last-Modified": self.LAST_MODIFIED}
        if status == 304:
            return Response(status=304, headers=headers)
        return Response(body, status=200, headers=headers, content_type="application/octet-stream")
