-- The share of a window's days x states that the loaded data covers (marts.daily_coverage),
-- rounded to 4 places. Every coverage figure uses this macro.
-- depends on: macros.window_cells
-- materialized: macro (covered_cells, window_start, window_end, state_count)
round(covered_cells / macros.window_cells(window_start, window_end, state_count), 4)
