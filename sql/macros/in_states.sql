-- Whether a row of `state_code` counts for the states asked about: every row (those with no
-- state too) when `states` is null, the nation; else rows of those states only.
-- materialized: macro (state_code, states)
states is null or list_contains(states, state_code)
