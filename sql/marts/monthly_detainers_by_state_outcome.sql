-- Detainers per prepare month, state and outcome; declines are outcome = 'declined'.
with detainers as (
    select
        prepare_month,
        state_code,
        outcome,
    from staging.stg_detainers
)

select
    prepare_month,
    state_code,
    outcome,
    count(*) as detainers,
from detainers
group by all
order by prepare_month, state_code, outcome
