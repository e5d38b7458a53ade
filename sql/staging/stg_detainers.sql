-- One row per detainer the metrics count: the rows of stg_detainer_rows inside their
-- source's window that are not likely duplicates of an earlier row of the same detainer.
with counted as (
    select
        * exclude (is_likely_duplicate),
    from staging.stg_detainer_rows
    where not is_likely_duplicate
)

select
    *,
from counted
