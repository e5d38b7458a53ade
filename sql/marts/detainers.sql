-- One row per detainer the metrics count, with its values as published and in canonical form:
-- the rows of staging.stg_detainer_rows inside their source's trusted window that are not
-- likely duplicates of an earlier row of the same detainer. A view, for reading row by row: at
-- millions of rows a copy would cost about as much as loading the file; the other marts count
-- from intermediate.detainer_counts, which sums the same rows.
-- depends on: staging.stg_detainer_rows
-- materialized: view
select
    * exclude (is_likely_duplicate),
from staging.stg_detainer_rows
where not is_likely_duplicate
