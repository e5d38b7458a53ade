"""Writes the generated parts of docs/releases-and-layouts.md from the catalog
(schemas/reference/releases.csv) and the layouts (schemas/layouts/), so that no figure the page
quotes can drift from them: each part stands between `<!-- generated: NAME -->` and
`<!-- end: NAME -->`. tests/test_releases_page.py fails when a part is not what this writes.

    .venv/bin/python docs/make_releases_page.py
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from detainers.extract.window_manifest import cover, manifest_toml  # noqa: E402
from detainers.report.releases import oig_days  # noqa: E402
from detainers.report.window import DEFAULT_END, DEFAULT_START  # noqa: E402
from detainers.schemas.layouts import known_layouts  # noqa: E402
from detainers.schemas.reference import releases  # noqa: E402

PAGE = ROOT / "docs" / "releases-and-layouts.md"
BLOCK = re.compile(r"(<!-- generated: (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- end: (?P=name) -->)", re.S)


def _days(first: dt.date | None, last: dt.date | None) -> str:
    return f"{first or '…'} .. {last or '…'}"


def catalog_table() -> str:
    known = list(releases().values())
    stand_ins = [r for r in known if r.stands_in_for]
    lines = [
        f"{len(known)} files: {len(known) - len(stand_ins)} trusted in their own right for the days of their window, "
        f"{len(stand_ins)} standing in for others (holding their records on those days).",
        "",
        "| release id | file (publisher, folder) | MB | prepare dates | trusted window | layout | stands in for |",
        "| --- | --- | ---: | --- | --- | --- | --- |",
    ]
    for r in known:
        lines.append(f"| `{r.id}` | [`{r.file}`]({r.url.replace(' ', '%20')}) ({r.publisher}, `{r.published_in.split(' ', 1)[1]}`) "
                     f"| {r.bytes / 1e6:,.1f} | {_days(r.prepare_start, r.prepare_end)} | {_days(r.window_start, r.window_end)} "
                     f"| `{r.layout}` | {', '.join(f'`{i}`' for i in r.stands_in_for)} |")
    return "\n".join(lines) + "\n"


def oig_days_table() -> str:
    total = (DEFAULT_END - DEFAULT_START).days + 1
    plan = cover(DEFAULT_START, DEFAULT_END)
    lines = [
        f"The inspector general's window, {DEFAULT_START} .. {DEFAULT_END}, is {total:,} days. What each release would "
        "supply of it, where it is trusted (the others supply none of it):",
        "",
        "| release id | days of the window |",
        "| --- | ---: |",
    ]
    lines += [f"| `{r.id}` | {oig_days(r):,} |" for r in releases().values() if oig_days(r)]
    held = sum((min(e.covers_end, DEFAULT_END) - max(e.covers_start, DEFAULT_START) + dt.timedelta(days=1)
                for e in plan.entries), dt.timedelta())
    files = ", ".join(f"`{e.release.file}`" for e in plan.entries)
    lines += ["", f"{files} together hold {held.days:,} of the {total:,} days "
                  f"({sum(e.release.bytes for e in plan.entries):,} bytes to download); "
                  + ("no day is left uncovered." if not plan.gaps else f"{len(plan.gaps)} stretch(es) are held by none.")]
    return "\n".join(lines) + "\n"


def oig_manifest() -> str:
    return "```toml\n" + manifest_toml(cover(DEFAULT_START, DEFAULT_END)) + "```\n"


def layouts_table() -> str:
    lines = ["| layout | formats | header | duplicate rule | other spellings |", "| --- | --- | --- | --- | --- |"]
    for layout in known_layouts().values():
        header = (f"row {layout.header_row}" if not layout.header_within_rows else
                  f"first of rows {layout.header_row}-{layout.header_row + layout.header_within_rows - 1} holding every required column")
        if "parquet" == layout.formats[0] and len(layout.formats) == 1:
            header = "Parquet column names"
        spellings = "; ".join(f"`{c}`: " + ", ".join(f"`{s}`" for s in others) for c, others in layout.spellings.items())
        if layout.coalesce_spellings:
            spellings += " (each row: the first that holds a value)"
        lines.append(f"| `{layout.name}` | {', '.join(layout.formats)} | {header} | `{layout.duplicate_rule}` | {spellings} |")
    return "\n".join(lines) + "\n"


BLOCKS = {"catalog": catalog_table, "oig-days": oig_days_table, "oig-manifest": oig_manifest, "layouts": layouts_table}


def render(page: str) -> str:
    """The page with every generated part as the catalog and the layouts make it now."""
    return BLOCK.sub(lambda m: m.group(1) + BLOCKS[m.group("name")]() + m.group(4), page)


if __name__ == "__main__":
    PAGE.write_text(render(PAGE.read_text("utf-8")), "utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)}")
