-- One row per known jurisdiction as the records name it (normalized facility name and state:
-- macros.jurisdiction_id), with its city (null when its detainers name none, or several), its
-- detainers, its name as folding compares it (macros.folded_facility_name) and the
-- jurisdiction it is folded into: spellings of one facility in one state and city are one
-- jurisdiction, named by the spelling with the most detainers (then the first in order).
-- depends on: intermediate.detainer_key_counts, macros.field_values, macros.jurisdiction_id,
--   macros.folded_facility_name, macros.spelled_name
with counted as (
    select
        load_key,
        facility_id,
        state_id,
        city_id,
        sum(detainers) as detainers,
    from intermediate.detainer_key_counts
    group by all
),

named as (
    select
        macros.jurisdiction_id(facility.facility_name, facility.facility_is_placeholder, state.state_code) as variant_id,
        facility.facility_name,
        state.state_code,
        nullif(trim(upper(city.value)), '') as city,
        counted.detainers,
    from counted
    inner join macros.field_values('facility') as facility
        on facility.load_key = counted.load_key
        and facility.value_id = counted.facility_id
    inner join macros.field_values('state') as state
        on state.load_key = counted.load_key
        and state.value_id = counted.state_id
    left join macros.field_values('city') as city
        on city.load_key = counted.load_key
        and city.value_id = counted.city_id
),

variants as (
    select
        variant_id,
        facility_name,
        state_code,
        if(count(distinct city) = 1, min(city), null) as city,
        sum(detainers)::bigint as detainers,
    from named
    where variant_id is not null
    group by all
),

folded as (
    select
        *,
        macros.folded_facility_name(facility_name, state_code) as folded_name,
        macros.spelled_name(city, 'city') as city_key,
    from variants
),

ranked as (
    select
        *,
        first_value(facility_name) over (
            partition by state_code, city_key, folded_name
            order by detainers desc, facility_name
        ) as jurisdiction_name,
    from folded
)

select
    variant_id,
    facility_name,
    state_code,
    city,
    city_key,
    folded_name,
    detainers,
    macros.jurisdiction_id(jurisdiction_name, false, state_code) as jurisdiction_id,
    jurisdiction_name,
from ranked
order by jurisdiction_id, detainers desc, facility_name
