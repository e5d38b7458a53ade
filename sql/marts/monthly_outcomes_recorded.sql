-- Per prepare month: detainers, those with no recorded outcome (no lift reason) when their
-- data was drawn, and the share. Declines of a month are a lower bound of its declines: an
-- open detainer may be declined later. `mostly_open`: more than half were still open.
-- depends on: marts.daily_detainers_by_state
with months as (
    select
        date_trunc('month', prepare_date)::date as prepare_month,
        detainers,
        declined_detainers,
        outcome_pending,
    from marts.daily_detainers_by_state
)

select
    prepare_month,
    sum(detainers)::bigint as detainers,
    sum(declined_detainers)::bigint as declined_detainers,
    sum(outcome_pending)::bigint as outcome_pending,
    round(sum(outcome_pending) / sum(detainers), 4) as outcome_pending_share,
    sum(outcome_pending) * 2 > sum(detainers) as mostly_open,
from months
group by all
order by prepare_month
