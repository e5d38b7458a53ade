-- Detainers and declines of a window of prepare dates, for the nation or some states, per state
-- and jurisdiction (null: no known jurisdiction), with the jurisdiction's county and agency
-- (marts.jurisdictions) and how many of the window's days its state's data covers: what
-- marts.county_headline and marts.agency_headline each group their own way.
--   select * from marts.window_jurisdiction_counts(date '2015-01-01', date '2015-12-31', states := ['CA'])
-- depends on: marts.daily_detainers_by_jurisdiction, marts.jurisdictions, marts.daily_coverage, macros.in_scope,
--   macros.state_codes
-- materialized: table macro (window_start, window_end, states := null)
with asked as (
    select
        macros.state_codes(states) as codes,
),

counted as (
    select
        daily.state_code,
        daily.jurisdiction_id,
        sum(daily.detainers) as detainers,
        sum(daily.declined_detainers) as declined_detainers,
    from marts.daily_detainers_by_jurisdiction as daily, asked
    where macros.in_scope(daily.prepare_date, daily.state_code, window_start, window_end, asked.codes)
    group by all
),

covered as (
    select
        state_code,
        count(*) as covered_cells,
    from marts.daily_coverage, asked
    where macros.in_scope(day, state_code, window_start, window_end, asked.codes)
    group by all
)

select
    counted.state_code,
    counted.jurisdiction_id,
    jurisdictions.county_fips,
    jurisdictions.county_name,
    jurisdictions.agency,
    jurisdictions.agency_kind,
    jurisdictions.agency_level,
    counted.detainers,
    counted.declined_detainers,
    coalesce(covered.covered_cells, 0) as covered_cells,
from counted
left join marts.jurisdictions as jurisdictions
    on counted.jurisdiction_id = jurisdictions.jurisdiction_id
left join covered
    on counted.state_code = covered.state_code
