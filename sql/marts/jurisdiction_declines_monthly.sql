-- Detainers and declines per jurisdiction and prepare month (known jurisdictions only).
-- depends on: intermediate.detainer_counts
with detainers as (
    select
        prepare_month,
        jurisdiction_id,
        facility_name,
        state_code,
        is_declined,
        detainers,
    from intermediate.detainer_counts
    where jurisdiction_id is not null
)

select
    prepare_month,
    jurisdiction_id,
    facility_name,
    state_code,
    sum(detainers)::bigint as detainers,
    coalesce(sum(detainers) filter (where is_declined), 0)::bigint as declined_detainers,
from detainers
group by all
order by prepare_month, jurisdiction_id
