-- Detainers and declines per prepare date, state and jurisdiction (null: no known
-- jurisdiction). Small enough to answer the headline for any window at once.
-- depends on: intermediate.detainer_counts
with detainers as (
    select
        prepare_date,
        state_code,
        jurisdiction_id,
        is_declined,
        outcome,
        lift_date,
        detainers,
    from intermediate.detainer_counts
)

select
    prepare_date,
    state_code,
    jurisdiction_id,
    sum(detainers)::bigint as detainers,
    coalesce(sum(detainers) filter (where is_declined), 0)::bigint as declined_detainers,
    coalesce(sum(detainers) filter (where is_declined and lift_date is null), 0)::bigint
        as declined_without_decline_date,
    coalesce(sum(detainers) filter (where outcome = 'no_outcome_yet'), 0)::bigint as outcome_pending,
from detainers
group by all
order by prepare_date, state_code, jurisdiction_id
