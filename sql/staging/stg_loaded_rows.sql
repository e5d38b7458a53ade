-- One row per loaded row (raw.detainer_rows), whatever its source's trusted window, by its
-- load, prepare date and the ids of its state and lift reason: what marts.source_overlaps
-- compares between sources. A view: it is read only when two sources hold rows.
-- depends on: raw.detainer_rows
-- materialized: view
select
    load_key,
    prepare_date,
    state_id,
    lift_reason_id,
from raw.detainer_rows
