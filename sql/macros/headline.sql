-- The headline metrics for any inclusive window of prepare dates, and how much of the
-- window the loaded data covers. `detainers report` and downstream tools call it:
--   select * from marts.headline(date '2014-01-01', date '2017-05-31')
create or replace macro marts.headline(window_start, window_end) as table
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
        count(distinct jurisdiction_id) filter (where declined_detainers > 0) as declining_jurisdictions,
        coalesce(sum(declined_detainers) filter (where jurisdiction_id is null), 0)::bigint
            as declined_without_jurisdiction,
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
    round(
        coalesce(datediff('day', coverage_start, coverage_end) + 1, 0)
        / (datediff('day', window_start::date, window_end::date) + 1),
        4
    ) as coverage_ratio,
from totals
