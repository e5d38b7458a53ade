-- Detainers, declines and open outcomes per prepare date and state (null: unknown): the
-- sums of marts.daily_detainers_by_jurisdiction, small enough for marts.headline to read for
-- every published figure at once.
-- depends on: marts.daily_detainers_by_jurisdiction, macros.declined_without_jurisdiction
with daily as (
    select
        prepare_date,
        state_code,
        jurisdiction_id,
        detainers,
        declined_detainers,
        declined_without_decline_date,
        outcome_pending,
    from marts.daily_detainers_by_jurisdiction
)

select
    prepare_date,
    state_code,
    sum(detainers)::bigint as detainers,
    sum(declined_detainers)::bigint as declined_detainers,
    macros.declined_without_jurisdiction(jurisdiction_id, declined_detainers) as declined_without_jurisdiction,
    sum(declined_without_decline_date)::bigint as declined_without_decline_date,
    sum(outcome_pending)::bigint as outcome_pending,
from daily
group by all
order by prepare_date, state_code
