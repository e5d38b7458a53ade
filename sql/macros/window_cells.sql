-- The days x states of a window: what a coverage ratio divides by, and what covered cells
-- must reach for the coverage to be complete.
-- materialized: macro (window_start, window_end, state_count)
(datediff('day', window_start::date, window_end::date) + 1) * state_count
