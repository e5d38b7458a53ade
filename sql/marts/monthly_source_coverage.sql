-- Which source supplies each prepare month, and how many detainers it gives it.
with detainers as (
    select
        prepare_month,
        source,
        release,
        detainers,
    from staging.stg_detainers_counted
)

select
    prepare_month,
    source,
    release,
    sum(detainers)::bigint as detainers,
from detainers
group by all
order by prepare_month, source
