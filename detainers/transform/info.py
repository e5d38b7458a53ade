"""What every reader yields beside the rows: provenance column names, and what it learned of the file."""

from __future__ import annotations

from dataclasses import dataclass, field

SHEET = "_sheet"  # the sheet a published row was read from ("" for CSV)
ROW = "_row"  # its row number, as a spreadsheet or text editor shows it
WHOLE = "_whole"  # False where the row has fewer fields than the header; absent: every row is whole


@dataclass
class ReadInfo:
    """What a reader learned about a file besides its rows (for audit.loads)."""

    file_format: str = ""
    delimiter: str | None = None  # a text file's field delimiter, as detected from its header line
    sheets: list[str] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what was skipped, one line each

    def note(self, warning: str | None) -> None:
        if warning:
            self.warnings.append(warning)
