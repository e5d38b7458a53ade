-- Whether a row of `state_code` counts for the states asked about: every row (those with no
-- state too) when `codes` is null, the nation; else rows of those states only. `codes` are
-- two-letter codes: a table macro turns the states it is given into codes once
-- (macros.state_codes), not on every row.
-- materialized: macro (state_code, codes)
codes is null or list_contains(codes, state_code)
