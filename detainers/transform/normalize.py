"""Normalization: a published column's values onto the canonical fields they give
(schemas/canonical.py): the field itself, cleaned or parsed, and the fields derived from it.

Every mapping comes from schemas/reference/*.csv. A value the mapping does not know
normalizes to null; the canonical schema then rejects it and names the column, so nothing
unknown slips into the metrics. Each expression reads one value: values.py evaluates them
once per distinct value of a load, not once per row.

Figures others published per facility are put in the warehouse's own terms by the same rules
(published_facility_declines): NPR's declined detainers per facility, city, state and year
(schemas/reference/published/, as NPR published it), with facility names and states normalized
as every loaded row is, so marts.facility_reconciliation compares like with like.
"""

from __future__ import annotations

import polars as pl

from detainers.schemas import reference
from detainers.schemas.canonical import DATE_FIELDS, derived_from
from detainers.schemas.layouts import Layout
from detainers.schemas.reference import REFERENCE_DIR


def clean_text(column: pl.Expr, redaction_markers: tuple[str, ...] = ()) -> pl.Expr:
    """Apostrophes of every kind as ', then fold compatibility forms (NFKC: fullwidth letters,
    ligatures, the long s, non-breaking spaces; schemas/reference/rules.toml says why no more),
    trim; blanks and redaction markers (b(6), b(7)c) become null: unknown, not a value."""
    apostrophes = "".join(f"\\x{{{ord(c):X}}}" for c in reference.rules()["apostrophes"])
    text = column.cast(pl.String).str.replace_all(f"[{apostrophes}]", "'").str.normalize("NFKC").str.strip_chars()
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
    """A spelling of schemas/reference/detainer_types.csv to its form; any other by its code:
    'I247D - Immigration Detainer - ...' or 'I-247D' to the form 'I-247D'."""
    code = detainer_type.str.split(" - ").list.first().str.to_uppercase().str.replace_all(r"[\s-]", "")
    by_code = code.replace_strict(reference.detainer_forms(), default=None, return_dtype=pl.String)
    return detainer_type.str.to_uppercase().replace_strict(reference.detainer_types(), default=by_code, return_dtype=pl.String)


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


def canonical_values(field: str, published: pl.Expr, dtype: pl.DataType, layout: Layout) -> list[pl.Expr]:
    """The canonical fields one published column gives, in order: its own value (text
    cleaned, dates parsed by the layout's formats) and every field derived from it."""
    if field in DATE_FIELDS:
        value = parse_date(published, dtype, layout.date_formats)
    else:
        value = clean_text(published, (*reference.redactions(), *layout.redaction_markers))
    rules = {
        "prepared_at": lambda: parse_timestamp(published, dtype, layout.date_formats),
        "detainer_form": lambda: detainer_form(value),
        "facility_name": lambda: facility_name(value),
        "facility_is_placeholder": lambda: is_placeholder(facility_name(value)),
        "state_code": lambda: state_code(value),
        "outcome": lambda: outcome(value),
    }
    return [value.alias(field), *(rules[name]().alias(name) for name in derived_from(field))]


NPR_FACILITY_DECLINES = REFERENCE_DIR / "published" / "declined_vs_everythingelse.csv"


def published_facility_declines() -> pl.DataFrame:
    """One row per row of NPR's file: year, facility, city and state as published, the
    normalized facility name and state code, and the declined detainers NPR counted."""
    # The file repeats three column names (a join's other side); only the first five are read.
    names = ["year", "facility", "city", "state", "declined_detainers", "other_facility", "other_year", "other_lifts"]
    published = pl.read_csv(NPR_FACILITY_DECLINES, has_header=False, skip_rows=1, infer_schema=False, new_columns=names)
    return published.select(
        pl.col("year").cast(pl.Int32),
        "facility",
        "city",
        "state",
        facility_name(clean_text(pl.col("facility"))).alias("facility_name"),
        state_code(clean_text(pl.col("state"))).alias("state_code"),
        pl.col("declined_detainers").cast(pl.Int64),
    )
