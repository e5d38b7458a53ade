"""Terminal tables that fit the terminal without cutting a number or an id.

A column is either kept whole (numbers, ids, codes: never wrapped, never cut) or may wrap at
spaces (names, windows, reasons). When even the narrowest layout is wider than the terminal,
optional columns are left out, least needed first, and the table says which ones and that
`--wide` shows them all; with `wide`, every column is kept and the table takes the width it needs.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text


@dataclass(frozen=True)
class Column:
    name: str
    numeric: bool = False  # right-aligned
    wraps: bool = False  # may wrap at spaces; otherwise kept whole on one line
    drop: int = 0  # 0: always shown; else left out to fit, lowest first
    min_width: int = 0  # a wrapping column's least width (a date range on two lines, not three)


def _table(title: str, columns: list[Column], rows: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False,
                  collapse_padding=True)
    for column in columns:
        table.add_column(column.name, justify="right" if column.numeric else "left", no_wrap=not column.wraps,
                         overflow="fold" if column.wraps else "ellipsis", min_width=column.min_width or None)
    for row in rows:
        table.add_row(*row)
    return table


GAP = 2  # between two columns of the table's style


def _plain(text: str) -> str:
    return Text.from_markup(text).plain


def _widest_word(text: str) -> int:
    return max((len(word) for word in _plain(text).split()), default=0)


def narrowest(columns: list[Column], rows: list[list[str]]) -> int:
    """The least width the table takes with nothing cut: a whole column as wide as its widest
    cell (or name), a wrapping one as its longest word."""
    def need(i: int, column: Column) -> int:
        cells = [row[i] for row in rows] + [column.name]
        return max([_widest_word(c) if column.wraps else len(_plain(c)) for c in cells] + [column.min_width])
    return sum(need(i, c) for i, c in enumerate(columns)) + GAP * (len(columns) - 1)


def fitted(console: Console, title: str, columns: list[Column], rows: list[list[str]],
           wide: bool = False) -> tuple[Table, int, list[str]]:
    """The table to print, the width to print it at, and the columns left out to fit."""
    kept = list(range(len(columns)))
    if wide:
        whole = [Column(c.name, c.numeric, False, c.drop) for c in columns]  # nothing wrapped
        return _table(title, whole, rows), max(narrowest(whole, rows), console.width), []
    optional = sorted((c.drop, i) for i, c in enumerate(columns) if c.drop)
    while True:
        shown, cells = [columns[i] for i in kept], [[row[i] for i in kept] for row in rows]
        table = _table(title, shown, cells)
        if narrowest(shown, cells) <= console.width or not optional:
            break
        kept.remove(optional.pop(0)[1])
    return table, console.width, [c.name for i, c in enumerate(columns) if i not in kept]


def print_fitted(console: Console, title: str, columns: list[Column], rows: list[list[str]], wide: bool = False) -> None:
    table, width, dropped = fitted(console, title, columns, rows, wide)
    kept = [c for c in columns if c.name not in dropped]
    if not wide and narrowest(kept, [[r[i] for i, c in enumerate(columns) if c.name not in dropped] for r in rows]) > console.width:
        print_records(console, title, columns, rows)  # too narrow for any table: one row after another, nothing cut
        return
    if width > console.width:  # --wide: the table takes the width it needs; the terminal wraps its lines
        asked = console._width
        console.width = width
        try:
            console.print(table, crop=False)
        finally:
            console.width = asked
    else:
        console.print(table)
    if dropped:
        console.print(f"(left out to fit {console.width} columns: {', '.join(dropped)}; `--wide` shows every column)",
                      highlight=False)


def print_records(console: Console, title: str, columns: list[Column], rows: list[list[str]]) -> None:
    """Each row as lines of `name: value` under its first cell: for a terminal too narrow for a table."""
    console.print(title, highlight=False)
    for row in rows:
        console.print(row[0], highlight=False, soft_wrap=True)
        for column, cell in zip(columns[1:], row[1:]):
            console.print(f"  {column.name}: {cell}", highlight=False, soft_wrap=True)
