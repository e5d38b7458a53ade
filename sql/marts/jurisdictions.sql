-- Each jurisdiction's totals, with the prepare dates of its first and last detainer and of its
-- first and last declined detainer (prepare dates: most releases publish no decline date),
-- the spellings of its name folded into it, and the county it is placed in with how
-- (intermediate.jurisdiction_counties), and the agency that runs it (intermediate.jurisdiction_agencies:
-- a reviewed table; null when the facility is not in it).
-- depends on: intermediate.detainer_counts, intermediate.places, intermediate.jurisdiction_counties,
--   intermediate.jurisdiction_agencies
with by_place as (
    select
        place_key,
        sum(detainers) as detainers,
        sum(detainers) filter (where is_declined) as declined_detainers,
        min(prepare_date) as first_prepare_date,
        max(prepare_date) as last_prepare_date,
        min(prepare_date) filter (where is_declined) as first_declined_prepare_date,
        max(prepare_date) filter (where is_declined) as last_declined_prepare_date,
    from intermediate.detainer_counts
    where has_jurisdiction
    group by all
),

by_jurisdiction as (
    select
        places.jurisdiction_id,
        sum(by_place.detainers)::bigint as detainers,
        coalesce(sum(by_place.declined_detainers), 0)::bigint as declined_detainers,
        min(by_place.first_prepare_date) as first_prepare_date,
        max(by_place.last_prepare_date) as last_prepare_date,
        min(by_place.first_declined_prepare_date) as first_declined_prepare_date,
        max(by_place.last_declined_prepare_date) as last_declined_prepare_date,
    from by_place
    inner join intermediate.places as places
        on by_place.place_key = places.place_key
    group by all
)

select
    by_jurisdiction.jurisdiction_id,
    counties.facility_name,
    counties.state_code,
    by_jurisdiction.detainers,
    by_jurisdiction.declined_detainers,
    by_jurisdiction.first_prepare_date,
    by_jurisdiction.last_prepare_date,
    by_jurisdiction.first_declined_prepare_date,
    by_jurisdiction.last_declined_prepare_date,
    counties.city,
    counties.county_fips,
    counties.county_name,
    counties.placement,
    counties.name_variants,
    agencies.agency,
    agencies.agency_kind,
    agencies.agency_level,
from by_jurisdiction
inner join intermediate.jurisdiction_counties as counties
    on by_jurisdiction.jurisdiction_id = counties.jurisdiction_id
inner join intermediate.jurisdiction_agencies as agencies
    on by_jurisdiction.jurisdiction_id = agencies.jurisdiction_id
order by by_jurisdiction.declined_detainers desc, by_jurisdiction.jurisdiction_id
