-- The values of one text field (facility, state, city, lift_reason...) in every load's
-- dictionary (staging.stg_detainer_values): the one way a model turns the id a row holds into
-- its value and what it gives (facility_name, state_code, outcome...), joined on
-- (load_key, value_id):
--   inner join macros.field_values('state') as state
--       on state.load_key = rows.load_key and state.value_id = rows.state_id
-- depends on: staging.stg_detainer_values
-- materialized: table macro (of_field)
select
    * exclude (field),
from staging.stg_detainer_values
where field = of_field
