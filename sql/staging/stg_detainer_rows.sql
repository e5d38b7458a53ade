-- One row per loaded row inside its source's trusted window (staging.stg_detainer_keys) with
-- its canonical values (raw.detainers), flagged is_likely_duplicate by its layout's rule;
-- marts.detainers keeps only the rest. A view, read row by row: the other marts count from
-- intermediate.detainer_counts.
-- depends on: staging.stg_detainer_keys, staging.stg_loads, raw.detainers, macros.jurisdiction_id
-- materialized: view
with keys as (
    select
        loads.load_id,
        keys.sheet,
        keys.source_row,
        loads.source,
        loads.release,
        keys.is_likely_duplicate,
    from staging.stg_detainer_keys as keys
    inner join staging.stg_loads as loads
        on keys.load_key = loads.load_key
),

loaded as (
    select
        * exclude (source, release),
    from raw.detainers
)

select
    keys.load_id || ':' || keys.sheet || ':' || keys.source_row as detainer_key,
    keys.source,
    keys.release,
    keys.sheet,
    keys.source_row,
    loaded.prepare_date,
    date_trunc('month', loaded.prepare_date)::date as prepare_month,
    loaded.prepared_at,
    loaded.lift_date,
    loaded.detainer_form,
    loaded.detainer_type,
    loaded.facility_name,
    loaded.state_code,
    loaded.city,
    macros.jurisdiction_id(loaded.facility_name, loaded.facility_is_placeholder, loaded.state_code) as jurisdiction_id,
    loaded.lift_reason,
    loaded.outcome,
    loaded.outcome = 'declined' as is_declined,
    loaded.detainer_id,
    loaded.person_id,
    loaded.criminality,
    loaded.citizenship_country,
    loaded.aor,
    loaded.facility_code,
    keys.is_likely_duplicate,
from keys
inner join loaded
    on keys.load_id = loaded.load_id
    and keys.sheet = loaded.sheet
    and keys.source_row = loaded.source_row
