"""A load's distinct published values. Each value of each published column is normalized and
validated once, and every row becomes the positions of its values in these tables.

A million rows of a release hold a few thousand distinct facilities, states and dates, and
every check of the canonical model but the cross-field ones (schemas/canonical.py:
CROSS_FIELD_CHECKS) depends on one published value alone. So the canonical model validates
each distinct value once (in a row that is otherwise the template of a blank row), each
distinct combination of cross-field values once, and, for the reasons audit.rejects keeps,
each rejected row whole: the same verdicts as validating every row, for far less work.
Readers hand text over as polars Categoricals, whose integer codes index the tables.

Position 0 of every table is the missing value: a blank cell, or a column the layout lacks.
"""

from __future__ import annotations

import polars as pl

from detainers.errors import LayoutError
from detainers.transform.info import ROW, SHEET, WHOLE
from detainers.transform.normalize import canonical_values
from detainers.transform.validate import split_valid
from detainers.schemas.canonical import COLUMNS, CROSS_FIELD_CHECKS, EARLIEST, PUBLISHED_FIELDS, TEXT_FIELDS, value_id
from detainers.schemas.layouts import Layout
from detainers.schemas.reference import failure

POSITION = pl.UInt32
# Fields whose values are one a detainer or a person: any number of them is sound. The others
# name places and kinds, a few thousand in a release (max_distinct_values).
IDENTIFIERS = ("detainer_id", "person_id")


class ValueTable:
    """One published field's distinct values in a load, in order of first sight: the
    canonical fields each gives, and whether it passed validation."""

    def __init__(self, field: str, layout: Layout, max_values: int | None = None, file: str = "") -> None:
        self.field, self.layout, self.file = field, layout, file
        self.max_values = None if field in IDENTIFIERS else max_values
        self.values = self._derive(pl.Series("v", [None], dtype=pl.String))  # position 0: missing
        self.valid = pl.Series([], dtype=pl.Boolean)  # per position, as the Normalizer validates them
        self.by_code = pl.Series([], dtype=POSITION)  # categorical code -> position (0: not seen)
        self.by_value: dict = {}  # for columns a reader gave as dates or times, not text

    def _derive(self, values: pl.Series) -> pl.DataFrame:
        return pl.DataFrame({"v": values}).select(canonical_values(self.field, pl.col("v"), values.dtype, self.layout))

    def learn(self, column: pl.Series) -> pl.DataFrame:
        """Add the column's values not seen before; return the canonical fields of those that
        take a new position (to validate). A value that cleans to nothing (a blank, a
        redaction marker, a date that does not parse) is the missing value, position 0."""
        if column.dtype == pl.Categorical and len(self.by_code) and not self._unseen(column.to_physical().drop_nulls()).any():
            return self.values.clear()  # every value seen already: most batches, after the first few
        distinct = column.unique().drop_nulls()
        categorical = distinct.dtype == pl.Categorical
        new = distinct.filter(self._unseen(distinct.to_physical()) if categorical else ~distinct.is_in(list(self.by_value)))
        if not len(new):
            return self.values.clear()
        if self.max_values is not None and self.values.height - 1 + len(new) > self.max_values:
            column = next((name for name, field in self.layout.columns.items() if field == self.field), self.field)
            raise LayoutError(failure("too_many_values", file=self.file, column=column, limit=self.max_values))
        derived = self._derive(new.cast(pl.String) if categorical else new)
        present = derived[self.field].is_not_null()
        first = self.values.height
        positions = present.cast(POSITION).cum_sum().cast(POSITION) + (first - 1)
        positions = pl.select(pl.when(present).then(positions).otherwise(0)).to_series()
        if categorical:
            codes = new.to_physical()
            if int(codes.max()) + 1 > len(self.by_code):
                self.by_code = pl.concat([self.by_code, pl.zeros(int(codes.max()) + 1 - len(self.by_code), dtype=POSITION, eager=True)])
            self.by_code = self.by_code.scatter(codes, positions + 1)  # stored + 1: 0 means not seen yet
        else:
            self.by_value.update(zip(new.to_list(), positions.to_list()))
        self.values = pl.concat([self.values, derived.filter(present)])
        return derived.filter(present)

    def _unseen(self, codes: pl.Series) -> pl.Series:
        if not len(self.by_code):
            return pl.repeat(True, len(codes), dtype=pl.Boolean, eager=True)
        looked_up = self.by_code.gather(codes.clip(upper_bound=len(self.by_code) - 1))
        return (codes >= len(self.by_code)) | looked_up.eq(0)

    def positions(self, column: pl.Series) -> pl.Series:
        """Each row's position in the table (learn its values first)."""
        if column.dtype == pl.Categorical:
            return (self.by_code.gather(column.to_physical()) - 1).fill_null(0)
        if not self.by_value:
            return pl.zeros(len(column), dtype=POSITION, eager=True)
        keys = pl.Series(list(self.by_value), dtype=column.dtype)
        return column.replace_strict(keys, pl.Series(list(self.by_value.values()), dtype=POSITION), default=0)


class Normalizer:
    """The value tables of one load, and the validation of its rows by their values."""

    def __init__(self, layout: Layout, states: tuple[str, ...] | None = None, max_values: int | None = None,
                 file: str = "") -> None:
        """`max_values`: distinct values a field naming places or kinds may take (None: any);
        `file`: the file's name, for the error that says so."""
        self.layout, self.states = layout, states
        self.published_as = {field: name for name, field in layout.columns.items()}
        self.tables = {field: ValueTable(field, layout, max_values, file) for field in PUBLISHED_FIELDS}
        # the missing value passes or fails like any other (a blank prepare date fails)
        self._validate_new({field: table.values for field, table in self.tables.items()})

    def dictionary(self) -> pl.DataFrame:
        """Every text field's values, by id: what raw.detainer_values keeps of the load."""
        return pl.concat([
            table.values.with_columns(pl.lit(field).alias("field"), pl.int_range(table.values.height, dtype=POSITION).alias("value_id"))
            .rename({field: "value"})
            for field, table in self.tables.items() if field in TEXT_FIELDS
        ], how="diagonal")

    def stored(self, positions: pl.DataFrame) -> pl.DataFrame:
        """The rows as raw.detainer_rows keeps them: provenance and dates as they are, each text
        field as the id of its value (a field the batch lacks is left to the table's default)."""
        columns = [positions[SHEET].alias("sheet"), positions[ROW].alias("source_row"), _read_whole(positions)]
        for field, table in self.tables.items():
            if field not in positions.columns:
                continue
            if field in TEXT_FIELDS:
                columns.append(positions[field].alias(value_id(field)))
            else:  # a date, and what is derived from it (the time of day)
                columns += table.values[positions[field]].get_columns()
        return pl.DataFrame(columns)

    def rows(self, published: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
        """Each published row as positions (one column per published field of the batch, with
        its sheet and row), and whether the row passes every check."""
        present = {field: name for field, name in self.published_as.items() if name in published.columns}
        new = {field: self.tables[field].learn(published[name]) for field, name in present.items()}
        self._validate_new(new)
        positions = {field: self.tables[field].positions(published[name]) for field, name in present.items()}
        frame = pl.DataFrame(positions).with_columns(published[SHEET], published[ROW], _read_whole(published).alias(WHOLE))
        passes = frame[WHOLE]  # a row the reader found cut short fails whatever its values
        for field in positions:
            passes = passes & self.tables[field].valid.gather(frame[field])
        return frame, passes & self._cross_field_checks(frame)

    def _validate_new(self, new: dict[str, pl.DataFrame]) -> None:
        """Validate each table's new values, every field's in one call of the model (its cost
        is mostly per call): each value in a template row of its own."""
        new = {field: values for field, values in new.items() if values.height}
        if not new:
            return
        verdicts = self._check(pl.concat([self._template(values.height).with_columns(values) for values in new.values()]))
        start = 0
        for field, values in new.items():
            table = self.tables[field]
            table.valid = pl.concat([table.valid, verdicts.slice(start, values.height)])
            start += values.height

    def canonical(self, positions: pl.DataFrame) -> pl.DataFrame:
        """The canonical rows at these positions: every table's fields gathered, provenance kept."""
        parts = [pl.DataFrame([positions[SHEET].alias("sheet"), positions[ROW].alias("source_row"), _read_whole(positions)])]
        for field, table in self.tables.items():
            at = positions[field] if field in positions.columns else pl.zeros(positions.height, dtype=POSITION, eager=True)
            parts.append(table.values[at])
        return pl.concat(parts, how="horizontal").select(COLUMNS)

    def _template(self, n: int) -> pl.DataFrame:
        """n canonical rows of a blank published row with a valid prepare date: a row whose only
        fault can be the value put in it."""
        blank = self.canonical(pl.DataFrame({SHEET: [""], ROW: [1]}, schema={SHEET: pl.String, ROW: pl.Int64}))
        return blank.with_columns(pl.lit(EARLIEST).alias("prepare_date")).select(pl.all().repeat_by(n).explode())

    def _check(self, frame: pl.DataFrame) -> pl.Series:
        """Whether each canonical row passes the model (with this source's states)."""
        _, reasons = split_valid(frame, self.states)
        return pl.repeat(True, frame.height, dtype=pl.Boolean, eager=True).scatter(reasons["_index"], False)

    def _cross_field_checks(self, frame: pl.DataFrame) -> pl.Series:
        """Checks relating two published fields, on each distinct combination of their values."""
        passes = pl.repeat(True, frame.height, dtype=pl.Boolean, eager=True)
        for fields in CROSS_FIELD_CHECKS.values():
            if not all(f in frame.columns for f in fields):
                continue  # a field the layout lacks is missing in every row: the check cannot fail
            combos = frame.select(fields).unique()
            template = self._template(combos.height)
            values = [self.tables[f].values[combos[f]] for f in fields]
            verdicts = self._check(template.with_columns(*[v for part in values for v in part]))
            bad = combos.filter(~verdicts)
            if bad.height:
                passes = passes & ~frame.select(pl.struct(fields).is_in(bad.select(pl.struct(fields)).to_series().implode())).to_series()
        return passes


def _read_whole(frame: pl.DataFrame) -> pl.Series:
    """Whether each row was read whole: as its reader marked it, else (no mark) every row."""
    if WHOLE in frame.columns:
        return frame[WHOLE].alias("read_whole")
    return pl.repeat(True, frame.height, dtype=pl.Boolean, eager=True).alias("read_whole")


def to_canonical(published: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """The canonical rows of a batch, as a fresh load would derive them (for tests and tools)."""
    normalizer = Normalizer(layout)
    positions, _ = normalizer.rows(published)
    return normalizer.canonical(positions)
