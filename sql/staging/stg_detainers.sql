-- One row per detainer the metrics count: each source only inside the window of prepare
-- dates its manifest entry trusts it for, so overlapping releases never count one twice.
with sources as (
    select
        source,
        window_start,
        window_end
    from audit.sources
),

loaded as (
    select *
    from raw.detainers
),

trusted as (
    select
        loaded.*
    from loaded
    inner join sources
        on loaded.source = sources.source
    where (sources.window_start is null or loaded.prepare_date >= sources.window_start)
        and (sources.window_end is null or loaded.prepare_date <= sources.window_end)
)

select
    load_id || ':' || sheet || ':' || source_row as detainer_key,
    source,
    release,
    sheet,
    source_row,
    prepare_date,
    date_trunc('month', prepare_date)::date as prepare_month,
    lift_date,
    detainer_form,
    detainer_type,
    facility_name,
    state_code,
    city,
    case
        when facility_is_placeholder then null
        else facility_name || ' | ' || coalesce(state_code, '--')
    end as jurisdiction_id,
    lift_reason,
    outcome,
    outcome = 'declined' as is_declined,
    detainer_id,
    person_id,
    criminality,
    citizenship_country,
    aor,
    facility_code,
from trusted
