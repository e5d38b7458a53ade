-- Detainers and declines per prepare date, state and jurisdiction (null: no known
-- jurisdiction). Small enough to answer the headline for any window at once.
-- depends on: intermediate.detainer_counts, intermediate.places
with by_place as (
    select
        prepare_date,
        place_key,
        sum(detainers) as detainers,
        sum(detainers) filter (where is_declined) as declined_detainers,
        sum(detainers) filter (where is_declined and lift_date is null) as declined_without_decline_date,
        sum(detainers) filter (where outcome = 'no_outcome_yet') as outcome_pending,
    from intermediate.detainer_counts
    group by all
)

select
    by_place.prepare_date,
    places.state_code,
    places.jurisdiction_id,
    sum(by_place.detainers)::bigint as detainers,
    coalesce(sum(by_place.declined_detainers), 0)::bigint as declined_detainers,
    coalesce(sum(by_place.declined_without_decline_date), 0)::bigint as declined_without_decline_date,
    coalesce(sum(by_place.outcome_pending), 0)::bigint as outcome_pending,
from by_place
inner join intermediate.places as places
    on by_place.place_key = places.place_key
group by all
order by by_place.prepare_date, places.state_code, places.jurisdiction_id
