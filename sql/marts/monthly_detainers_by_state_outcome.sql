-- Detainers per prepare month, state and outcome; declines are outcome = 'declined'.
-- depends on: intermediate.detainer_counts
with detainers as (
    select
        prepare_month,
        state_code,
        outcome,
        detainers,
    from intermediate.detainer_counts
)

select
    prepare_month,
    state_code,
    outcome,
    sum(detainers)::bigint as detainers,
from detainers
group by all
order by prepare_month, state_code, outcome
