-- One row per load and ids of the facility, state and city values of the counted rows
-- (stg_detainer_keys' rows not flagged as likely duplicates), with the number of rows that
-- share them. Small (a release names a few thousand places however many rows it has): the
-- places (intermediate.place_ids) and the jurisdictions' cities
-- (intermediate.jurisdiction_variants) read this; intermediate.detainer_counts groups the
-- rows themselves, once, by the keys the marts count by.
-- depends on: staging.stg_detainer_keys
select
    load_key,
    facility_id,
    state_id,
    city_id,
    count(*) as detainers,
from staging.stg_detainer_keys
where not is_likely_duplicate
group by all
