-- Detainers and declines per prepare date and jurisdiction (null: no known jurisdiction).
-- Small enough to answer the headline for any window at once.
with detainers as (
    select
        prepare_date,
        jurisdiction_id,
        is_declined,
    from staging.stg_detainers
)

select
    prepare_date,
    jurisdiction_id,
    count(*) as detainers,
    count(*) filter (where is_declined) as declined_detainers,
from detainers
group by all
order by prepare_date, jurisdiction_id
