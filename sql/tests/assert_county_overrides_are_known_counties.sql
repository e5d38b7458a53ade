-- Every reviewed placement (reference.county_overrides) names a county of the gazetteer
-- (reference.counties) in the override's own state, and gives its reason.
select
    overrides.*,
from reference.county_overrides as overrides
left join reference.counties as counties
    on overrides.county_fips = counties.county_fips
    and overrides.state_code = counties.state_code
where counties.county_fips is null
    or coalesce(trim(overrides.reason), '') = ''
