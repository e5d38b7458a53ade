-- Declines by agency for any inclusive window of prepare dates, for the nation or some states:
-- the facilities (jurisdictions) a reviewed table folds into the agency that runs them
-- (marts.jurisdictions.agency: a sheriff, a county or city corrections department, a city's
-- police, a state's prisons, a U.S. Marshals district, the federal prisons, ICE, a private
-- contractor). One row per agency and state (kind 'agency') with its facilities in the window,
-- those that declined, detainers issued and declined, and the coverage of its state; then, per
-- state, one row of the facilities the table does not list (kind 'not_reviewed': each may be an
-- agency of its own, or part of a listed one) and one of the detainers with no known
-- jurisdiction (kind 'without_jurisdiction'). The rows add up to marts.headline's issued and
-- declined detainers of the same window and states.
--   select * from marts.agency_headline(date '2014-01-01', date '2017-05-31')
--   select * from marts.agency_headline(date '2015-01-01', date '2015-12-31', states := ['NY'])
-- depends on: marts.window_jurisdiction_counts, macros.coverage_ratio
-- materialized: table macro (window_start, window_end, states := null)
with counted as (
    select
        *,
        case
            when jurisdiction_id is null then 'without_jurisdiction'
            when agency is null then 'not_reviewed'
            else 'agency'
        end as kind,
    from marts.window_jurisdiction_counts(window_start, window_end, states := states)
),

by_agency as (
    select
        kind,
        agency,
        any_value(agency_kind) as agency_kind,
        any_value(agency_level) as agency_level,
        state_code,
        count(distinct jurisdiction_id) as facilities,
        count(distinct jurisdiction_id) filter (where declined_detainers > 0) as declining_facilities,
        sum(detainers)::bigint as detainers_issued,
        sum(declined_detainers)::bigint as declined_detainers,
        any_value(covered_cells) as covered_cells,
    from counted
    group by kind, agency, state_code
)

select
    window_start::date as window_start,
    window_end::date as window_end,
    by_agency.kind,
    by_agency.agency,
    by_agency.agency_kind,
    by_agency.agency_level,
    by_agency.state_code,
    by_agency.facilities,
    by_agency.declining_facilities,
    by_agency.detainers_issued,
    by_agency.declined_detainers,
    macros.coverage_ratio(by_agency.covered_cells, window_start, window_end, 1) as coverage_ratio,
from by_agency
order by
    by_agency.kind,
    by_agency.declined_detainers desc,
    by_agency.detainers_issued desc,
    by_agency.agency,
    by_agency.state_code
