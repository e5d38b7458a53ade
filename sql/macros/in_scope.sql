-- Whether a row of `day` and `state_code` falls in the window and states asked about: the
-- one filter every part of marts.headline applies (`codes` as in macros.in_states: two-letter
-- codes, null for the nation).
-- depends on: macros.in_states
-- materialized: macro (day, state_code, window_start, window_end, codes)
day between window_start::date and window_end::date and macros.in_states(state_code, codes)
