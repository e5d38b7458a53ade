-- One row per source of the manifest as of the last run (audit.sources): the window of prepare
-- dates and the states it is trusted for, its duplicate rule, whether it publishes lift dates and
-- when its release was drawn. The models read sources through this view, never audit.sources.
-- depends on: audit.sources
-- materialized: view
select
    source,
    window_start,
    window_end,
    states,
    duplicate_rule,
    has_lift_date,
    extracted_on,
from audit.sources
