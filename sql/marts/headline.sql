-- The headline metrics for any inclusive window of prepare dates, for the nation or some
-- states, and how much of the window's days x states the loaded data covers. The one
-- definition of these figures: `detainers report`, marts.reconciliation and downstream tools
-- all call it:
--   select * from marts.headline(date '2014-01-01', date '2017-05-31')
--   select * from marts.headline(date '2014-01-01', date '2014-09-30', states := ['PA'])
--   select * from marts.headline(date '2017-06-18', date '2017-12-31', basis := 'decline')
-- states: codes or names in any case (macros.state_codes: an unknown one is an error), null
-- for the nation (rows with no state count only there).
-- basis 'decline' counts declines by the date of the decline (lift date) instead of the
-- prepare date, from releases that publish it, and its coverage is of those releases only;
-- detainers issued are counted by prepare date, so on that basis they are null.
-- A window the loaded data does not reach at all (on the basis asked) has null figures, not
-- zeros: nothing is known of it.
-- depends on: marts.daily_detainers_by_state, marts.daily_detainers_by_jurisdiction,
--   marts.daily_declines_by_jurisdiction, marts.daily_coverage, macros.in_scope,
--   macros.declining_jurisdictions, macros.declined_without_jurisdiction, macros.state_count,
--   macros.state_codes, macros.window_cells, macros.coverage_ratio
-- materialized: table macro (window_start, window_end, states := null, basis := 'prepare')
with asked as (
    -- the states asked, as codes, once (an unknown one is an error)
    select
        macros.state_codes(states) as codes,
),

prepared as (
    select
        detainers,
        declined_without_decline_date,
        outcome_pending,
    from marts.daily_detainers_by_state, asked
    where macros.in_scope(prepare_date, state_code, window_start, window_end, asked.codes)
),

declines as (
    -- the jurisdictions that declined: only rows with declines are read
    select
        jurisdiction_id,
        declined_detainers,
    from marts.daily_detainers_by_jurisdiction, asked
    where basis = 'prepare'
        and declined_detainers > 0
        and macros.in_scope(prepare_date, state_code, window_start, window_end, asked.codes)
    union all
    select
        jurisdiction_id,
        declined_detainers,
    from marts.daily_declines_by_jurisdiction, asked
    where basis = 'decline'
        and macros.in_scope(decline_date, state_code, window_start, window_end, asked.codes)
),

covered as (
    select
        day,
        state_code,
        extracted_on,
    from marts.daily_coverage, asked
    where macros.in_scope(day, state_code, window_start, window_end, asked.codes)
        and (basis = 'prepare' or has_decline_dates)
),

issued as (
    select
        coalesce(sum(detainers), 0)::bigint as detainers_issued,
        coalesce(sum(outcome_pending), 0)::bigint as outcome_pending,
        coalesce(sum(declined_without_decline_date), 0)::bigint as declined_without_decline_date,
    from prepared
),

declined as (
    select
        coalesce(sum(declined_detainers), 0)::bigint as declined_detainers,
        macros.declining_jurisdictions(jurisdiction_id, declined_detainers) as declining_jurisdictions,
        macros.declined_without_jurisdiction(jurisdiction_id, declined_detainers) as declined_without_jurisdiction,
    from declines
),

coverage as (
    select
        count(*) as covered_cells,
        count(distinct day) as days_covered,
        count(distinct state_code) as states_covered,
        min(day) as coverage_start,
        max(day) as coverage_end,
        max(extracted_on) as last_extracted_on,
        macros.state_count(states) as state_count,
    from covered
),

known as (
    -- figures only where the data reaches; on basis 'decline', no issued count at all
    select
        coverage.covered_cells > 0 as has_data,
        has_data and basis = 'prepare' as counts_issued,
    from coverage
    where basis in ('prepare', 'decline')
        or error('unknown basis ''' || basis || ''': prepare or decline')
)

select
    window_start::date as window_start,
    window_end::date as window_end,
    case when known.counts_issued then issued.detainers_issued end as detainers_issued,
    case when known.has_data then declined.declined_detainers end as declined_detainers,
    case when known.has_data then declined.declining_jurisdictions end as declining_jurisdictions,
    case when known.has_data then declined.declined_without_jurisdiction end as declined_without_jurisdiction,
    coverage.coverage_start,
    coverage.coverage_end,
    macros.coverage_ratio(coverage.covered_cells, window_start, window_end, coverage.state_count) as coverage_ratio,
    coverage.covered_cells = macros.window_cells(window_start, window_end, coverage.state_count) as coverage_complete,
    macros.state_codes(states)::varchar[] as states,
    basis::varchar as basis,
    case when known.counts_issued then issued.outcome_pending end as outcome_pending,
    case when known.counts_issued then round(issued.outcome_pending / nullif(issued.detainers_issued, 0), 4) end
        as outcome_pending_share,
    coverage.last_extracted_on,
    issued.declined_without_decline_date,
    coverage.days_covered,
    datediff('day', window_start::date, window_end::date) + 1 as days_in_window,
    coverage.states_covered,
    coverage.state_count,
from issued, declined, coverage, known
