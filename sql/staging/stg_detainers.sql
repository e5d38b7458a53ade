-- One row per detainer the metrics count: the rows of stg_detainer_rows inside their
-- source's window that are not likely duplicates of an earlier row of the same detainer.
-- A view: at millions of rows a full copy costs about as much as DuckDB's own ingest of the
-- file; the marts read the much smaller intermediate.detainer_counts instead.
-- depends on: staging.stg_detainer_rows
-- materialized: view
with counted as (
    select
        * exclude (is_likely_duplicate),
    from staging.stg_detainer_rows
    where not is_likely_duplicate
)

select
    *,
from counted
