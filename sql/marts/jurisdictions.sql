-- Each jurisdiction's totals, with the prepare dates of its first and last decline.
-- depends on: intermediate.detainer_counts
with detainers as (
    select
        jurisdiction_id,
        facility_name,
        state_code,
        prepare_date,
        is_declined,
        detainers,
    from intermediate.detainer_counts
    where jurisdiction_id is not null
)

select
    jurisdiction_id,
    facility_name,
    state_code,
    sum(detainers)::bigint as detainers,
    coalesce(sum(detainers) filter (where is_declined), 0)::bigint as declined_detainers,
    min(prepare_date) as first_prepare_date,
    max(prepare_date) as last_prepare_date,
    min(prepare_date) filter (where is_declined) as first_decline_date,
    max(prepare_date) filter (where is_declined) as last_decline_date,
from detainers
group by all
order by declined_detainers desc, jurisdiction_id
