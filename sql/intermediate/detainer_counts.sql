-- One row per source, prepare date, decline date, place and outcome, with the number of
-- detainers (stg_detainer_keys' rows not flagged as likely duplicates) that share them.
-- Every mart aggregates this table: one pass over the rows for all of them, by integer
-- keys (a place's names: intermediate.places).
-- depends on: staging.stg_detainer_keys, intermediate.place_ids, raw.detainer_values
with by_ids as (
    select
        load_key,
        source,
        release,
        prepare_date,
        lift_date,
        facility_id,
        state_id,
        lift_reason_id,
        count(*) as detainers,
    from staging.stg_detainer_keys
    where not is_likely_duplicate
    group by all
),

outcomes as (
    select
        load_key,
        value_id,
        outcome,
    from raw.detainer_values
    where field = 'lift_reason'
)

select
    by_ids.source,
    by_ids.release,
    by_ids.prepare_date,
    date_trunc('month', by_ids.prepare_date)::date as prepare_month,
    by_ids.lift_date,
    places.place_key,
    places.state_code,
    places.jurisdiction_id is not null as has_jurisdiction,
    outcomes.outcome,
    outcomes.outcome = 'declined' as is_declined,
    sum(by_ids.detainers)::bigint as detainers,
from by_ids
inner join intermediate.place_ids as places
    on by_ids.load_key = places.load_key
    and by_ids.facility_id = places.facility_id
    and by_ids.state_id = places.state_id
inner join outcomes
    on by_ids.load_key = outcomes.load_key
    and by_ids.lift_reason_id = outcomes.value_id
group by all
