-- Detainers per prepare month, state and outcome; declines are outcome = 'declined'.
with detainers as (
    select
        prepare_month,
        state_code,
        outcome,
        detainers,
    from staging.stg_detainers_counted
)

select
    prepare_month,
    state_code,
    outcome,
    sum(detainers)::bigint as detainers,
from detainers
group by all
order by prepare_month, state_code, outcome
