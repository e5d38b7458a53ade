-- Which source supplies each prepare month, and how many detainers it gives it.
-- depends on: intermediate.detainer_counts
with detainers as (
    select
        prepare_month,
        source,
        release,
        detainers,
    from intermediate.detainer_counts
)

select
    prepare_month,
    source,
    release,
    sum(detainers)::bigint as detainers,
from detainers
group by all
order by prepare_month, source
