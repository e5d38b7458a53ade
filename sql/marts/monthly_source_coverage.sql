-- Which source supplies each prepare month, and how many detainers it gives it.
with detainers as (
    select
        prepare_month,
        source,
        release,
    from staging.stg_detainers
)

select
    prepare_month,
    source,
    release,
    count(*) as detainers,
from detainers
group by all
order by prepare_month, source
