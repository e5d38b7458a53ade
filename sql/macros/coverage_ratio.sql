-- The share of a window's days x states that the loaded data covers (marts.daily_coverage),
-- rounded to 4 places. Every coverage figure uses this macro.
-- materialized: macro (covered_cells, window_start, window_end, state_count)
round(
    covered_cells / ((datediff('day', window_start::date, window_end::date) + 1) * state_count),
    4
)
