-- One row per load (its source: audit.loads), prepare date, decline date and the ids of the
-- facility, state and lift reason values of the counted rows (intermediate.detainer_key_counts),
-- with their place and outcome and the number of detainers that share them. Every mart
-- aggregates this table, by integer keys (a place's names: intermediate.places, a load's:
-- audit.loads).
-- depends on: intermediate.detainer_key_counts, intermediate.place_ids, raw.detainer_values
with outcomes as (
    select
        load_key,
        value_id,
        outcome,
    from raw.detainer_values
    where field = 'lift_reason'
),

named as (
    select
        by_ids.load_key,
        by_ids.prepare_date,
        by_ids.lift_date,
        places.place_key,
        places.jurisdiction_key,
        places.state_code,
        places.jurisdiction_id is not null as has_jurisdiction,
        outcomes.outcome,
        by_ids.detainers,
    from intermediate.detainer_key_counts as by_ids
    inner join intermediate.place_ids as places
        on by_ids.load_key = places.load_key
        and by_ids.facility_id = places.facility_id
        and by_ids.state_id = places.state_id
    inner join outcomes
        on by_ids.load_key = outcomes.load_key
        and by_ids.lift_reason_id = outcomes.value_id
)

select
    load_key,
    prepare_date,
    date_trunc('month', prepare_date)::date as prepare_month,
    lift_date,
    place_key,
    jurisdiction_key,
    state_code,
    has_jurisdiction,
    outcome,
    outcome = 'declined' as is_declined,
    detainers,
from named
