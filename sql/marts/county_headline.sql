-- Declines by county for any inclusive window of prepare dates, for the nation or some states:
-- one row per county (kind 'county') with detainers issued, declined, the declining facilities
-- (known jurisdictions placed in it with a decline in the window, folded spellings counted once)
-- and the coverage of its state over the window; then, per state, one row of the known
-- jurisdictions placed in no county (kind 'unplaced') and one of the detainers with no known
-- jurisdiction (kind 'without_jurisdiction': placeholder and blank facilities). The rows add up
-- to marts.headline's issued and declined detainers of the same window and states.
--   select * from marts.county_headline(date '2014-01-01', date '2017-05-31')
--   select * from marts.county_headline(date '2015-01-01', date '2015-12-31', states := ['CA'])
-- depends on: marts.window_jurisdiction_counts, macros.coverage_ratio
-- materialized: table macro (window_start, window_end, states := null)
with counted as (
    select
        *,
        case
            when jurisdiction_id is null then 'without_jurisdiction'
            when county_fips is null then 'unplaced'
            else 'county'
        end as kind,
    from marts.window_jurisdiction_counts(window_start, window_end, states := states)
),

by_county as (
    select
        kind,
        county_fips,
        any_value(county_name) as county_name,
        state_code,
        sum(detainers)::bigint as detainers_issued,
        sum(declined_detainers)::bigint as declined_detainers,
        count(distinct jurisdiction_id) filter (where declined_detainers > 0) as declining_facilities,
        count(distinct jurisdiction_id) as jurisdictions,
        any_value(covered_cells) as covered_cells,
    from counted
    group by kind, county_fips, state_code
)

select
    window_start::date as window_start,
    window_end::date as window_end,
    by_county.kind,
    by_county.county_fips,
    by_county.county_name,
    by_county.state_code,
    by_county.detainers_issued,
    by_county.declined_detainers,
    by_county.declining_facilities,
    by_county.jurisdictions,
    macros.coverage_ratio(by_county.covered_cells, window_start, window_end, 1) as coverage_ratio,
from by_county
order by
    by_county.kind,
    by_county.declined_detainers desc,
    by_county.detainers_issued desc,
    by_county.county_fips,
    by_county.state_code
