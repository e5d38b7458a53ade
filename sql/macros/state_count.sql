-- How many states a figure is about: those asked for (each once, however spelled:
-- macros.state_codes), or when `states` is null (the nation) every state and territory of
-- reference.states.
-- depends on: reference.states, macros.state_codes
-- materialized: macro (states)
coalesce(len(macros.state_codes(states)), (select count(distinct code) from reference.states))
