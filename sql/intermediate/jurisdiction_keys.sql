-- One row per jurisdiction key (intermediate.place_ids): the state and jurisdiction it
-- stands for. The marts count by the key and name the jurisdiction once, at the end.
-- depends on: intermediate.places
-- materialized: view
select distinct
    jurisdiction_key,
    state_code,
    jurisdiction_id,
from intermediate.places
