-- The headline with declines counted by the date of the decline (lift_date) instead of the
-- prepare date; detainers issued stay by prepare date, and coverage is of decline dates.
-- Declines from releases without a lift date are not counted on this basis.
--   select * from marts.headline_by_decline_date(date '2017-06-18', date '2017-12-31')
create or replace macro marts.headline_by_decline_date(window_start, window_end) as table
with issued as (
    select
        coalesce(sum(detainers), 0)::bigint as detainers_issued,
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
        count(distinct jurisdiction_id) as declining_jurisdictions,
        coalesce(sum(declined_detainers) filter (where jurisdiction_id is null), 0)::bigint
            as declined_without_jurisdiction,
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
    round(
        coalesce(datediff('day', totals.coverage_start, totals.coverage_end) + 1, 0)
        / (datediff('day', window_start::date, window_end::date) + 1),
        4
    ) as coverage_ratio,
from issued, totals
