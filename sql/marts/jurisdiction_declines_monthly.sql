-- Detainers and declines per jurisdiction and prepare month (known jurisdictions only).
with detainers as (
    select
        prepare_month,
        jurisdiction_id,
        facility_name,
        state_code,
        is_declined,
    from staging.stg_detainers
    where jurisdiction_id is not null
)

select
    prepare_month,
    jurisdiction_id,
    facility_name,
    state_code,
    count(*) as detainers,
    count(*) filter (where is_declined) as declined_detainers,
from detainers
group by all
order by prepare_month, jurisdiction_id
