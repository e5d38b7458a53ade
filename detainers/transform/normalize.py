"""Normalization: published rows of any layout onto the canonical detainer row
(schemas/canonical.py), which then validates them.

Every mapping comes from schemas/reference/*.csv. A value the mapping does not know
normalizes to null; the canonical schema then rejects the row and names the column, so
nothing unknown slips into the metrics. Fields a layout does not publish stay unknown (null).
"""

from __future__ import annotations

import polars as pl

from detainers.transform.info import ROW, SHEET
from schemas import reference
from schemas.canonical import COLUMNS, TEXT_FIELDS
from schemas.layouts import Layout


def clean_text(column: pl.Expr, redaction_markers: tuple[str, ...] = ()) -> pl.Expr:
    """Trim; blanks and redaction markers (b(6), b(7)c) become null: unknown, not a value."""
    text = column.cast(pl.String).str.strip_chars()
    unknown = text.eq("")
    if redaction_markers:
        unknown = unknown | text.str.to_lowercase().is_in([m.lower() for m in redaction_markers])
    return pl.when(unknown).then(None).otherwise(text)


def parse_date(column: pl.Expr, dtype: pl.DataType, formats: tuple[str, ...]) -> pl.Expr:
    """Dates stored as dates pass through; text dates try each of the layout's formats."""
    if dtype == pl.Date:
        return column
    if dtype == pl.Datetime:
        return column.dt.date()
    text = column.cast(pl.String).str.strip_chars()
    return pl.coalesce([text.str.strptime(pl.Date, fmt, strict=False) for fmt in formats])


def parse_timestamp(column: pl.Expr, dtype: pl.DataType, formats: tuple[str, ...]) -> pl.Expr:
    """The time a record was prepared, where the file says it (duplicate rules use it); else null."""
    if dtype == pl.Datetime:
        return column.cast(pl.Datetime("us"))
    timed = [fmt for fmt in formats if "%H" in fmt]
    if dtype == pl.Date or not timed:
        return pl.lit(None, dtype=pl.Datetime("us"))
    text = column.cast(pl.String).str.strip_chars()
    return pl.coalesce([text.str.strptime(pl.Datetime("us"), fmt, strict=False) for fmt in timed])


def state_code(state: pl.Expr) -> pl.Expr:
    """A state, DC or territory, by name or code in any case, to its two-letter code."""
    return state.str.to_uppercase().replace_strict(reference.state_codes(), default=None, return_dtype=pl.String)


def detainer_form(detainer_type: pl.Expr) -> pl.Expr:
    """'I247D - Immigration Detainer - ...' or 'I-247D' to the form 'I-247D'."""
    code = detainer_type.str.split(" - ").list.first().str.to_uppercase().str.replace_all(r"[\s-]", "")
    return code.replace_strict(reference.detainer_forms(), default=None, return_dtype=pl.String)


def outcome(lift_reason: pl.Expr) -> pl.Expr:
    """A lift reason to its outcome; no lift reason means no outcome yet."""
    known = lift_reason.replace_strict(reference.outcomes_by_lift_reason(), default=None, return_dtype=pl.String)
    return pl.when(lift_reason.is_null()).then(pl.lit("no_outcome_yet")).otherwise(known)


def facility_name(facility: pl.Expr) -> pl.Expr:
    """Upper case, one space between words, no trailing dots: 'JEFFERSON COUNTY JAIL    .'."""
    name = facility.str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars(" .")
    return pl.when(name.eq("")).then(None).otherwise(name)


def is_placeholder(name: pl.Expr) -> pl.Expr:
    """No facility, or a catch-all such as OTHER-OTHER FACILITY: no known jurisdiction."""
    return name.is_null() | name.is_in(sorted(reference.placeholder_facilities()))


def to_canonical(published: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Map a batch of published rows onto canonical columns (provenance kept)."""
    by_field = {field: name for name, field in layout.columns.items() if name in published.columns}
    markers = layout.redaction_markers

    def text(field: str) -> pl.Expr:
        if field not in by_field:
            return pl.lit(None, dtype=pl.String)
        return clean_text(pl.col(by_field[field]), markers)

    def date(field: str) -> pl.Expr:
        if field not in by_field:
            return pl.lit(None, dtype=pl.Date)
        return parse_date(pl.col(by_field[field]), published.schema[by_field[field]], layout.date_formats)

    prepared = by_field["prepare_date"]
    # Each canonical column as one expression over the published columns, so that
    # evaluate_per_value can see which single column it reads.
    return evaluate_per_value(published, [
        pl.col(SHEET).alias("sheet"),
        pl.col(ROW).alias("source_row"),
        date("prepare_date").alias("prepare_date"),
        parse_timestamp(pl.col(prepared), published.schema[prepared], layout.date_formats).alias("prepared_at"),
        date("lift_date").alias("lift_date"),
        *[text(f).alias(f) for f in TEXT_FIELDS],
        detainer_form(text("detainer_type")).alias("detainer_form"),
        state_code(text("state")).alias("state_code"),
        facility_name(text("facility")).alias("facility_name"),
        outcome(text("lift_reason")).alias("outcome"),
        is_placeholder(facility_name(text("facility"))).alias("facility_is_placeholder"),
    ]).select(COLUMNS)


_KEY = "__value"


def evaluate_per_value(frame: pl.DataFrame, exprs: list[pl.Expr]) -> pl.DataFrame:
    """`frame.select(exprs)`, faster on repetitive data: an expression that reads one column
    (and is row-wise, as every normalization here is) is evaluated on that column's distinct
    values only and joined back. A million rows of a published extract hold a few thousand
    facilities and dates, so trimming, regexes, date parsing and lookups run on those.
    Expressions reading no column or several, or provenance, are evaluated on every row."""
    by_root: dict[str, list[pl.Expr]] = {}
    direct: list[pl.Expr] = []
    for expr in exprs:
        roots = set(expr.meta.root_names())
        if len(roots) == 1 and not roots & {SHEET, ROW}:
            by_root.setdefault(roots.pop(), []).append(expr)
        else:
            direct.append(expr)
    names = [expr.meta.output_name() for expr in exprs]
    out = frame.with_columns(direct).select(e.meta.output_name() for e in direct)
    for root, derived in by_root.items():
        values = frame.select(pl.col(root).unique())
        lookup = values.select(pl.col(root).alias(_KEY), *derived)
        mapped = frame.select(pl.col(root).alias(_KEY)).join(
            lookup, on=_KEY, how="left", nulls_equal=True, maintain_order="left")
        out = out.hstack(mapped.drop(_KEY).get_columns())
    return out.select(names)
