-- The share of a window's days the loaded data covers, from the first and last day it
-- covers (null: none), rounded to 4 places. Every coverage figure uses this macro.
-- materialized: macro (coverage_start, coverage_end, window_start, window_end)
round(
    coalesce(datediff('day', coverage_start, coverage_end) + 1, 0)
    / (datediff('day', window_start::date, window_end::date) + 1),
    4
)
