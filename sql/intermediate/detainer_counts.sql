-- One row per source, prepare date, decline date, jurisdiction, state and outcome, with the
-- number of detainers of stg_detainers that share them. Every mart aggregates this table:
-- one pass over the detainers instead of one per mart.
-- depends on: staging.stg_detainers
with detainers as (
    select
        source,
        release,
        prepare_date,
        prepare_month,
        lift_date,
        jurisdiction_id,
        facility_name,
        state_code,
        outcome,
        is_declined,
    from staging.stg_detainers
)

select
    source,
    release,
    prepare_date,
    prepare_month,
    lift_date,
    jurisdiction_id,
    facility_name,
    state_code,
    outcome,
    is_declined,
    count(*) as detainers,
from detainers
group by all
