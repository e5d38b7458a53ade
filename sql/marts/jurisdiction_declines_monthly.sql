-- Detainers and declines per jurisdiction and prepare month (known jurisdictions only; a
-- jurisdiction's folded spellings counted as one, named as intermediate.jurisdiction_counties names it).
-- depends on: intermediate.detainer_counts, intermediate.places, intermediate.jurisdiction_counties
with by_place as (
    select
        prepare_month,
        place_key,
        sum(detainers) as detainers,
        sum(detainers) filter (where is_declined) as declined_detainers,
    from intermediate.detainer_counts
    where has_jurisdiction
    group by all
)

select
    by_place.prepare_month,
    places.jurisdiction_id,
    counties.facility_name,
    places.state_code,
    sum(by_place.detainers)::bigint as detainers,
    coalesce(sum(by_place.declined_detainers), 0)::bigint as declined_detainers,
from by_place
inner join intermediate.places as places
    on by_place.place_key = places.place_key
inner join intermediate.jurisdiction_counties as counties
    on places.jurisdiction_id = counties.jurisdiction_id
group by all
order by by_place.prepare_month, places.jurisdiction_id
