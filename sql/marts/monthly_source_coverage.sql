-- Which source supplies each prepare month, and how many detainers it gives it.
-- depends on: intermediate.detainer_counts, staging.stg_loads
with by_load as (
    select
        prepare_month,
        load_key,
        sum(detainers) as detainers,
    from intermediate.detainer_counts
    group by all
)

select
    by_load.prepare_month,
    loads.source,
    loads.release,
    sum(by_load.detainers)::bigint as detainers,
from by_load
inner join staging.stg_loads as loads
    on by_load.load_key = loads.load_key
group by all
order by by_load.prepare_month, loads.source
