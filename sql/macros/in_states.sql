-- Whether a row of `state_code` counts for the states asked about: every row (those with no
-- state too) when `states` is null, the nation; else rows of those states only (given as
-- codes or names in any case: macros.state_codes, which refuses a name it does not know).
-- depends on: macros.state_codes
-- materialized: macro (state_code, states)
states is null or list_contains(macros.state_codes(states), state_code)
