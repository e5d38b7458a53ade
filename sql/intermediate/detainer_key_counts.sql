-- One row per load, prepare date, decline date and ids of the facility, state, city and lift
-- reason values, with the number of counted rows (stg_detainer_keys' rows not flagged as
-- likely duplicates) that share them. The one pass over the rows a build makes: the places
-- (intermediate.place_ids), the jurisdictions' cities (intermediate.jurisdiction_variants) and
-- the counts (intermediate.detainer_counts) all read this.
-- depends on: staging.stg_detainer_keys
select
    load_key,
    prepare_date,
    lift_date,
    facility_id,
    state_id,
    city_id,
    lift_reason_id,
    count(*) as detainers,
from staging.stg_detainer_keys
where not is_likely_duplicate
group by all
