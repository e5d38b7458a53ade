-- Detainers and declines per prepare date, state and jurisdiction (null: no known
-- jurisdiction). Small enough to answer the headline for any window at once.
-- depends on: intermediate.detainer_counts, intermediate.jurisdiction_keys
with by_key as (
    select
        prepare_date,
        jurisdiction_key,
        sum(detainers)::bigint as detainers,
        coalesce(sum(detainers) filter (where is_declined), 0)::bigint as declined_detainers,
        coalesce(sum(detainers) filter (where is_declined and lift_date is null), 0)::bigint
            as declined_without_decline_date,
        coalesce(sum(detainers) filter (where outcome = 'no_outcome_yet'), 0)::bigint as outcome_pending,
    from intermediate.detainer_counts
    group by all
)

select
    by_key.prepare_date,
    jurisdictions.state_code,
    jurisdictions.jurisdiction_id,
    by_key.detainers,
    by_key.declined_detainers,
    by_key.declined_without_decline_date,
    by_key.outcome_pending,
from by_key
inner join intermediate.jurisdiction_keys as jurisdictions
    on by_key.jurisdiction_key = jurisdictions.jurisdiction_key
-- the headline reads a window of days: row groups of other days are skipped; within a day, by
-- state and jurisdiction (the key's order), so the same rows are always written in one order
order by by_key.prepare_date, by_key.jurisdiction_key
