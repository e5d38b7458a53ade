-- Every current load holds exactly the rows its audit record says it loaded, and no rows
-- are left of a load that is not current.
with current_loads as (
    select
        loads.load_key,
        loads.load_id,
        loads.rows_loaded,
    from audit.loads as loads
    inner join audit.sources as sources
        on loads.load_id = sources.current_load_id
),

raw_counts as (
    select
        load_key,
        count(*) as rows_in_raw,
    from raw.detainer_rows
    group by all
)

select
    coalesce(current_loads.load_key, raw_counts.load_key) as load_key,
    current_loads.load_id,
    current_loads.rows_loaded,
    raw_counts.rows_in_raw,
from current_loads
full outer join raw_counts
    on current_loads.load_key = raw_counts.load_key
where current_loads.rows_loaded is distinct from coalesce(raw_counts.rows_in_raw, 0)
