-- Every reviewed placement (reference.county_overrides) gives its reason, names a city and
-- state, and, when it names a county, a county of the gazetteer (reference.counties) in its
-- own state. A row with no county unplaces on purpose (a city that spans counties, an agency
-- of a whole city); it still needs its reason.
select
    overrides.*,
from reference.county_overrides as overrides
left join reference.counties as counties
    on overrides.county_fips = counties.county_fips
    and overrides.state_code = counties.state_code
where (coalesce(overrides.county_fips, '') <> '' and counties.county_fips is null)
    or coalesce(trim(overrides.reason), '') = ''
    or coalesce(trim(overrides.city), '') = ''
    or coalesce(trim(overrides.state_code), '') = ''
