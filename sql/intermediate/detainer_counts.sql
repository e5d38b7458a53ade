-- One row per load (its source: staging.stg_loads), prepare date, decline date, place and lift
-- reason (with its outcome) of the counted rows (stg_detainer_keys' rows not flagged as likely duplicates), with the
-- number of detainers that share them. The one pass over the rows that the marts' counts
-- make: each row's place (intermediate.place_ids) and outcome (its lift reason's:
-- macros.field_values) are looked up by the ids it holds, and the rows grouped by them.
-- Every mart aggregates this table, by integer keys (a place's names: intermediate.places,
-- a load's: staging.stg_loads).
-- depends on: staging.stg_detainer_keys, intermediate.place_ids, intermediate.places, macros.field_values
-- materialized: build table
with counted as (
    -- grouped by integers only; names and outcomes are joined to the groups after
    select
        rows.load_key,
        rows.prepare_date,
        rows.lift_date,
        place_ids.place_key,
        rows.lift_reason_id,
        count(*) as detainers,
    from staging.stg_detainer_keys as rows
    inner join intermediate.place_ids as place_ids
        on rows.load_key = place_ids.load_key
        and rows.facility_id = place_ids.facility_id
        and rows.state_id = place_ids.state_id
    where not rows.is_likely_duplicate
    group by all
)

select
    counted.load_key,
    counted.prepare_date,
    date_trunc('month', counted.prepare_date)::date as prepare_month,
    counted.lift_date,
    counted.place_key,
    places.jurisdiction_key,
    places.state_code,
    places.jurisdiction_id is not null as has_jurisdiction,
    outcomes.outcome,
    outcomes.outcome = 'declined' as is_declined,
    counted.detainers,
from counted
inner join intermediate.places as places
    on counted.place_key = places.place_key
inner join macros.field_values('lift_reason') as outcomes
    on counted.load_key = outcomes.load_key
    and counted.lift_reason_id = outcomes.value_id
