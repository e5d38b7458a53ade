-- Each jurisdiction's totals, with the prepare dates of its first and last detainer and decline.
-- depends on: intermediate.detainer_counts, intermediate.places
with by_place as (
    select
        place_key,
        sum(detainers) as detainers,
        sum(detainers) filter (where is_declined) as declined_detainers,
        min(prepare_date) as first_prepare_date,
        max(prepare_date) as last_prepare_date,
        min(prepare_date) filter (where is_declined) as first_decline_date,
        max(prepare_date) filter (where is_declined) as last_decline_date,
    from intermediate.detainer_counts
    where has_jurisdiction
    group by all
)

select
    places.jurisdiction_id,
    places.facility_name,
    places.state_code,
    sum(by_place.detainers)::bigint as detainers,
    coalesce(sum(by_place.declined_detainers), 0)::bigint as declined_detainers,
    min(by_place.first_prepare_date) as first_prepare_date,
    max(by_place.last_prepare_date) as last_prepare_date,
    min(by_place.first_decline_date) as first_decline_date,
    max(by_place.last_decline_date) as last_decline_date,
from by_place
inner join intermediate.places as places
    on by_place.place_key = places.place_key
group by all
order by declined_detainers desc, places.jurisdiction_id
