-- Declined detainers per decline date (lift_date), state and jurisdiction (null: no known
-- jurisdiction). Only releases that publish the lift date (2025-ICFO-18038) give rows here.
-- depends on: intermediate.detainer_counts, intermediate.places
with by_place as (
    select
        lift_date as decline_date,
        place_key,
        sum(detainers) as declined_detainers,
    from intermediate.detainer_counts
    where is_declined
        and lift_date is not null
    group by all
)

select
    by_place.decline_date,
    places.state_code,
    places.jurisdiction_id,
    sum(by_place.declined_detainers)::bigint as declined_detainers,
from by_place
inner join intermediate.places as places
    on by_place.place_key = places.place_key
group by all
order by by_place.decline_date, places.state_code, places.jurisdiction_id
