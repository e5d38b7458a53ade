-- How many states a figure is about: those asked for, or when `states` is null (the nation)
-- every state and territory of reference.states.
-- depends on: reference.states
-- materialized: macro (states)
coalesce(len(states), (select count(distinct code) from reference.states))
