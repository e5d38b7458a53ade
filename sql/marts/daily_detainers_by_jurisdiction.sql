-- Detainers and declines per prepare date and jurisdiction (null: no known jurisdiction).
-- Small enough to answer the headline for any window at once.
with detainers as (
    select
        prepare_date,
        jurisdiction_id,
        is_declined,
        detainers,
    from staging.stg_detainers_counted
)

select
    prepare_date,
    jurisdiction_id,
    sum(detainers)::bigint as detainers,
    coalesce(sum(detainers) filter (where is_declined), 0)::bigint as declined_detainers,
from detainers
group by all
order by prepare_date, jurisdiction_id
