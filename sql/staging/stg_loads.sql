-- One row per attempt to load a source file (audit.loads): the load's integer key, by which
-- raw rows and dictionaries name it, its id, and the source and release it is of. The models
-- read loads through this view, never audit.loads itself.
-- depends on: audit.loads
-- materialized: view
select
    load_key,
    load_id,
    source,
    release,
from audit.loads
