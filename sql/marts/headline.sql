-- The headline metrics for any inclusive window of prepare dates, and how much of the
-- window the loaded data covers. The one definition of these figures: `detainers report`,
-- marts.reconciliation and downstream tools all call it:
--   select * from marts.headline(date '2014-01-01', date '2017-05-31')
-- depends on: marts.daily_detainers_by_jurisdiction, macros.declining_jurisdictions,
--   macros.declined_without_jurisdiction, macros.coverage_ratio
-- materialized: table macro (window_start, window_end)
with in_window as (
    select
        prepare_date,
        jurisdiction_id,
        detainers,
        declined_detainers,
    from marts.daily_detainers_by_jurisdiction
    where prepare_date between window_start::date and window_end::date
),

totals as (
    select
        coalesce(sum(detainers), 0)::bigint as detainers_issued,
        coalesce(sum(declined_detainers), 0)::bigint as declined_detainers,
        macros.declining_jurisdictions(jurisdiction_id, declined_detainers) as declining_jurisdictions,
        macros.declined_without_jurisdiction(jurisdiction_id, declined_detainers) as declined_without_jurisdiction,
        min(prepare_date) as coverage_start,
        max(prepare_date) as coverage_end,
    from in_window
)

select
    window_start::date as window_start,
    window_end::date as window_end,
    detainers_issued,
    declined_detainers,
    declining_jurisdictions,
    declined_without_jurisdiction,
    coverage_start,
    coverage_end,
    macros.coverage_ratio(coverage_start, coverage_end, window_start, window_end) as coverage_ratio,
    coalesce(coverage_start = window_start::date and coverage_end = window_end::date, false) as coverage_complete,
from totals
