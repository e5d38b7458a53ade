-- One row per known jurisdiction (folded: intermediate.jurisdiction_variants): its name, state,
-- city, the spellings folded into it, and the county it is placed in (5-digit FIPS) with how,
-- in this order:
--   override       a reviewed row of reference.county_overrides for the facility names its
--                  county (with a reason); a row with no county unplaces it (a citywide agency);
--   facility_name  the facility names one county of its state ("DAUPHIN CNTY JAIL", "DELAWARE CO
--                  JAIL", "RICHMOND CITY JAIL" for an independent city), whatever its city;
--   override       a reviewed row for its whole city (no facility named): a consolidated
--                  city-county's FIPS (Philadelphia), or no county for a city that spans several
--                  (Chicago, Jackson MS), which the ZIP table, one county per ZIP, cannot show;
--   city           its city lies in exactly one county (reference.city_counties, from the ZIP
--                  codes of that city);
--   unplaced       none of these: no county named and a city in several counties, or in none the
--                  gazetteer knows. Never a guess: such a jurisdiction has no county.
-- depends on: intermediate.jurisdiction_variants, reference.counties, reference.city_counties,
--   reference.county_overrides, macros.spelled_name
with jurisdictions as (
    select
        jurisdiction_id,
        any_value(jurisdiction_name) as facility_name,
        state_code,
        any_value(city) as city,
        any_value(city_key) as city_key,
        list(facility_name order by detainers desc, facility_name) as name_variants,
    from intermediate.jurisdiction_variants
    group by jurisdiction_id, state_code
),

county_names as (
    select distinct
        county_fips,
        state_code,
        county_name,
    from reference.counties
),

named_matches as (
    -- every county of its state a spelling names: "<name> COUNTY" (PARISH, BOROUGH, MUNICIPIO)
    -- as whole words, or an independent city's own name ("BALTIMORE CITY")
    select distinct
        variants.jurisdiction_id,
        counties.county_fips,
        counties.name_key,
    from intermediate.jurisdiction_variants as variants
    inner join reference.counties as counties
        on counties.state_code = variants.state_code
        and (
            -- whole-word containment, not a regex built per pair (compiling ~150,000 patterns
            -- took 2.4 s of every build; this takes 0.16 s)
            contains(' ' || variants.folded_name || ' ', ' ' || counties.name_key || ' COUNTY ')
            or contains(' ' || variants.folded_name || ' ', ' ' || counties.name_key || ' PARISH ')
            or contains(' ' || variants.folded_name || ' ', ' ' || counties.name_key || ' BOROUGH ')
            or contains(' ' || variants.folded_name || ' ', ' ' || counties.name_key || ' MUNICIPIO ')
            or (counties.name_key like '% CITY' and contains(' ' || variants.folded_name || ' ', ' ' || counties.name_key || ' '))
        )
),

named_counties as (
    -- a name inside a longer one it matched is not a second county ("SAINT LOUIS" within
    -- "SAINT LOUIS CITY"); two counties named apart place nothing
    select
        jurisdiction_id,
        if(count(distinct county_fips) = 1, min(county_fips), null) as county_fips,
    from named_matches as matches
    where not exists (
        select 1
        from named_matches as longer
        where longer.jurisdiction_id = matches.jurisdiction_id
            and longer.name_key <> matches.name_key
            and contains(' ' || longer.name_key || ' ', ' ' || matches.name_key || ' ')
    )
    group by jurisdiction_id
),

city_counties as (
    select
        jurisdictions.jurisdiction_id,
        count(distinct gazetteer.county_fips) as city_counties,
        if(count(distinct gazetteer.county_fips) = 1, min(gazetteer.county_fips), null) as county_fips,
    from jurisdictions
    inner join reference.city_counties as gazetteer
        on gazetteer.state_code = jurisdictions.state_code
        and gazetteer.city_key = jurisdictions.city_key
    group by jurisdictions.jurisdiction_id
),

overridden as (
    -- reviewed rows for the facility itself (a blank county: deliberately unplaced)
    select
        variants.jurisdiction_id,
        if(count(distinct overrides.county_fips) = 1, min(nullif(overrides.county_fips, '')), null) as county_fips,
        min(overrides.reason) as reason,
    from intermediate.jurisdiction_variants as variants
    inner join reference.county_overrides as overrides
        on overrides.facility_name = variants.facility_name
        and overrides.state_code = variants.state_code
        and coalesce(nullif(overrides.city, ''), variants.city, '') = coalesce(variants.city, '')
    where coalesce(overrides.facility_name, '') <> ''
    group by variants.jurisdiction_id
),

city_overrides as (
    select
        state_code,
        macros.spelled_name(city, 'city') as city_key,
        nullif(county_fips, '') as county_fips,
        reason,
    from reference.county_overrides
    where coalesce(facility_name, '') = ''
),

city_overridden as (
    -- reviewed rows for a whole city: its county (a consolidated city-county), or none
    select
        jurisdictions.jurisdiction_id,
        min(overrides.county_fips) as county_fips,
        min(overrides.reason) as reason,
    from jurisdictions
    inner join city_overrides as overrides
        on overrides.state_code = jurisdictions.state_code
        and overrides.city_key = jurisdictions.city_key
    group by jurisdictions.jurisdiction_id
),

placed as (
    select
        jurisdictions.*,
        coalesce(city_counties.city_counties, 0) as city_counties,
        case
            when overridden.jurisdiction_id is not null then if(overridden.county_fips is null, 'unplaced', 'override')
            when named_counties.county_fips is not null then 'facility_name'
            when city_overridden.jurisdiction_id is not null then if(city_overridden.county_fips is null, 'unplaced', 'override')
            when city_counties.county_fips is not null then 'city'
            else 'unplaced'
        end as placement,
        case
            when overridden.jurisdiction_id is not null then overridden.county_fips
            when named_counties.county_fips is not null then named_counties.county_fips
            when city_overridden.jurisdiction_id is not null then city_overridden.county_fips
            else city_counties.county_fips
        end as county_fips,
        case
            when overridden.jurisdiction_id is not null then overridden.reason
            when named_counties.county_fips is not null then null
            else city_overridden.reason
        end as override_reason,
    from jurisdictions
    left join named_counties
        on jurisdictions.jurisdiction_id = named_counties.jurisdiction_id
    left join city_counties
        on jurisdictions.jurisdiction_id = city_counties.jurisdiction_id
    left join overridden
        on jurisdictions.jurisdiction_id = overridden.jurisdiction_id
    left join city_overridden
        on jurisdictions.jurisdiction_id = city_overridden.jurisdiction_id
)

select
    placed.jurisdiction_id,
    placed.facility_name,
    placed.state_code,
    placed.city,
    placed.name_variants,
    placed.county_fips,
    county_names.county_name,
    placed.placement,
    placed.city_counties,
    placed.override_reason,
from placed
left join county_names
    on placed.county_fips = county_names.county_fips
order by placed.jurisdiction_id
