-- One row per loaded row inside the window of prepare dates its manifest entry trusts it
-- for, so overlapping releases never count a detainer twice. Rows the layout's duplicate
-- rule (audit.sources.duplicate_rule; the rules: reference.duplicate_rules) finds to repeat
-- an earlier row of the same detainer stay here, flagged is_likely_duplicate;
-- stg_detainers keeps only the rest. A view: only stg_detainers reads it, and the one
-- pass over the rows is intermediate.detainer_counts'.
-- depends on: raw.detainers, audit.sources
-- materialized: view
with sources as (
    select
        source,
        window_start,
        window_end,
        duplicate_rule,
    from audit.sources
),

loaded as (
    select *
    from raw.detainers
),

trusted as (
    select
        loaded.*,
        sources.duplicate_rule,
    from loaded
    inner join sources
        on loaded.source = sources.source
    where (sources.window_start is null or loaded.prepare_date >= sources.window_start)
        and (sources.window_end is null or loaded.prepare_date <= sources.window_end)
),

sequenced as (
    -- each row's place among rows of the same detainer id, person and day, and the person's
    -- previous detainer; rows without an identifier are never judged duplicates
    select
        *,
        row_number() over (
            partition by source, detainer_id
            order by prepared_at, prepare_date, sheet, source_row
        ) as detainer_id_seq,
        row_number() over (
            partition by source, person_id, prepare_date
            order by prepared_at, sheet, source_row
        ) as person_day_seq,
        lag(prepared_at) over (
            partition by source, person_id
            order by prepare_date, prepared_at, sheet, source_row
        ) as person_previous_prepared_at,
    from trusted
),

flagged as (
    -- within 24 hours uses the time where the file gives it, else the same prepare date
    select
        *,
        case duplicate_rule
            when 'same_detainer_id' then detainer_id is not null and detainer_id_seq > 1
            when 'same_person_same_prepare_date' then person_id is not null and person_day_seq > 1
            when 'same_person_within_24_hours' then person_id is not null and coalesce(
                prepared_at - person_previous_prepared_at <= interval 24 hours,
                person_day_seq > 1
            )
            else false
        end as is_likely_duplicate,
    from sequenced
)

select
    load_id || ':' || sheet || ':' || source_row as detainer_key,
    source,
    release,
    sheet,
    source_row,
    prepare_date,
    date_trunc('month', prepare_date)::date as prepare_month,
    prepared_at,
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
    is_likely_duplicate,
from flagged
