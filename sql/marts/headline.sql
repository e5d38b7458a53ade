-- The headline metrics for any inclusive window of prepare dates, for the nation or some
-- states, and how much of the window's days x states the loaded data covers. The one
-- definition of these figures: `detainers report`, marts.reconciliation and downstream tools
-- all call it:
--   select * from marts.headline(date '2014-01-01', date '2017-05-31')
--   select * from marts.headline(date '2014-01-01', date '2014-09-30', states := ['PA'])
--   select * from marts.headline(date '2017-06-18', date '2017-12-31', basis := 'decline')
-- states: two-letter codes, null for the nation (rows with no state count only there).
-- basis 'decline' counts declines by the date of the decline (lift date) instead of the
-- prepare date, from releases that publish it; its coverage is of those releases only.
-- depends on: marts.daily_detainers_by_state, marts.daily_detainers_by_jurisdiction,
--   marts.daily_declines_by_jurisdiction, marts.daily_coverage, macros.in_scope,
--   macros.declining_jurisdictions, macros.declined_without_jurisdiction, macros.state_count,
--   macros.window_cells, macros.coverage_ratio
-- materialized: table macro (window_start, window_end, states := null, basis := 'prepare')
with prepared as (
    select
        detainers,
        declined_without_decline_date,
        outcome_pending,
    from marts.daily_detainers_by_state
    where macros.in_scope(prepare_date, state_code, window_start, window_end, states)
),

declines as (
    -- the jurisdictions that declined: only rows with declines are read
    select
        jurisdiction_id,
        declined_detainers,
    from marts.daily_detainers_by_jurisdiction
    where basis = 'prepare'
        and declined_detainers > 0
        and macros.in_scope(prepare_date, state_code, window_start, window_end, states)
    union all
    select
        jurisdiction_id,
        declined_detainers,
    from marts.daily_declines_by_jurisdiction
    where basis = 'decline'
        and macros.in_scope(decline_date, state_code, window_start, window_end, states)
),

covered as (
    select
        day,
        extracted_on,
    from marts.daily_coverage
    where macros.in_scope(day, state_code, window_start, window_end, states)
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
        min(day) as coverage_start,
        max(day) as coverage_end,
        max(extracted_on) as last_extracted_on,
        macros.state_count(states) as state_count,
    from covered
)

select
    window_start::date as window_start,
    window_end::date as window_end,
    issued.detainers_issued,
    declined.declined_detainers,
    declined.declining_jurisdictions,
    declined.declined_without_jurisdiction,
    coverage.coverage_start,
    coverage.coverage_end,
    macros.coverage_ratio(coverage.covered_cells, window_start, window_end, coverage.state_count) as coverage_ratio,
    coverage.covered_cells = macros.window_cells(window_start, window_end, coverage.state_count) as coverage_complete,
    states::varchar[] as states,
    basis::varchar as basis,
    issued.outcome_pending,
    round(issued.outcome_pending / nullif(issued.detainers_issued, 0), 4) as outcome_pending_share,
    coverage.last_extracted_on,
    issued.declined_without_decline_date,
from issued, declined, coverage
