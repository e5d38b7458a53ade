-- One row per place: its key (intermediate.place_ids), normalized facility name, state code,
-- whether the facility is a placeholder, and the jurisdiction it makes (null: none known).
-- depends on: intermediate.place_ids
select distinct
    place_key,
    facility_name,
    state_code,
    facility_is_placeholder,
    jurisdiction_id,
from intermediate.place_ids
