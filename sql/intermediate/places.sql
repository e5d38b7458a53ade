-- One row per place: its key (intermediate.place_ids), normalized facility name, state code,
-- whether the facility is a placeholder, the jurisdiction it makes (null: none known), and
-- the key of that jurisdiction within its state (the places of no known jurisdiction of one
-- state share one), by which the daily marts count.
-- depends on: intermediate.place_ids
select distinct
    place_key,
    jurisdiction_key,
    facility_name,
    state_code,
    facility_is_placeholder,
    jurisdiction_id,
from intermediate.place_ids
