-- The headline with declines counted by the date of the decline (lift_date) instead of the
-- prepare date; detainers issued stay by prepare date, and coverage is of decline dates.
-- Declines from releases without a lift date are not counted on this basis:
-- declined_without_decline_date says how many of the window's prepare dates that leaves out.
--   select * from marts.headline_by_decline_date(date '2017-06-18', date '2017-12-31')
-- depends on: marts.daily_detainers_by_jurisdiction, marts.daily_declines_by_jurisdiction,
--   macros.declining_jurisdictions, macros.declined_without_jurisdiction, macros.coverage_ratio
-- materialized: table macro (window_start, window_end)
with issued as (
    select
        coalesce(sum(detainers), 0)::bigint as detainers_issued,
        coalesce(sum(declined_without_decline_date), 0)::bigint as declined_without_decline_date,
    from marts.daily_detainers_by_jurisdiction
    where prepare_date between window_start::date and window_end::date
),

declines as (
    select
        decline_date,
        jurisdiction_id,
        declined_detainers,
    from marts.daily_declines_by_jurisdiction
    where decline_date between window_start::date and window_end::date
),

totals as (
    select
        coalesce(sum(declined_detainers), 0)::bigint as declined_detainers,
        macros.declining_jurisdictions(jurisdiction_id, declined_detainers) as declining_jurisdictions,
        macros.declined_without_jurisdiction(jurisdiction_id, declined_detainers) as declined_without_jurisdiction,
        min(decline_date) as coverage_start,
        max(decline_date) as coverage_end,
    from declines
)

select
    window_start::date as window_start,
    window_end::date as window_end,
    issued.detainers_issued,
    totals.declined_detainers,
    totals.declining_jurisdictions,
    totals.declined_without_jurisdiction,
    totals.coverage_start,
    totals.coverage_end,
    macros.coverage_ratio(totals.coverage_start, totals.coverage_end, window_start, window_end) as coverage_ratio,
    coalesce(totals.coverage_start = window_start::date and totals.coverage_end = window_end::date, false)
        as coverage_complete,
    issued.declined_without_decline_date,
from issued, totals
