-- One row per loaded row inside the window of prepare dates its source is trusted for, by the
-- ids of its values (raw.detainer_rows), so overlapping releases never count a detainer
-- twice. Rows the layout's duplicate rule (audit.sources.duplicate_rule; the rules:
-- reference.duplicate_rules) finds to repeat an earlier row of the same detainer are flagged
-- is_likely_duplicate; rows without an identifier (id 0: missing or redacted) never are.
-- Within a load an id stands for one value, so comparing ids compares values. A view:
-- intermediate.detainer_key_counts reads it once; stg_detainer_rows shows it with its values.
-- depends on: raw.detainer_rows, audit.loads, audit.sources
-- materialized: view
with trusted as not materialized (
    select
        rows.*,
        sources.duplicate_rule,
        -- a row whose rule's identifier is missing (id 0) can never be flagged: it skips the sorts
        case sources.duplicate_rule
            when 'none' then false
            when 'same_detainer_id' then rows.detainer_id_id <> 0
            else rows.person_id_id <> 0
        end as is_ruled,
    from raw.detainer_rows as rows
    inner join audit.loads as loads
        on rows.load_key = loads.load_key
    inner join audit.sources as sources
        on loads.source = sources.source
    where (sources.window_start is null or rows.prepare_date >= sources.window_start)
        and (sources.window_end is null or rows.prepare_date <= sources.window_end)
),

sequenced as (
    -- each row's place among rows of the same detainer id, person and day, and the person's
    -- previous detainer: only for layouts with a rule (the sorts cost most of a build)
    select
        *,
        row_number() over (
            partition by load_key, detainer_id_id
            order by prepared_at, prepare_date, sheet, source_row
        ) as detainer_id_seq,
        row_number() over (
            partition by load_key, person_id_id, prepare_date
            order by prepared_at, sheet, source_row
        ) as person_day_seq,
        lag(prepared_at) over (
            partition by load_key, person_id_id
            order by prepare_date, prepared_at, sheet, source_row
        ) as person_previous_prepared_at,
    from trusted
    where is_ruled
),

flagged as (
    -- within 24 hours uses the time where the file gives it, else the same prepare date
    select
        * exclude (detainer_id_seq, person_day_seq, person_previous_prepared_at, is_ruled),
        case duplicate_rule
            when 'same_detainer_id' then detainer_id_id <> 0 and detainer_id_seq > 1
            when 'same_person_same_prepare_date' then person_id_id <> 0 and person_day_seq > 1
            when 'same_person_within_24_hours' then person_id_id <> 0 and coalesce(
                prepared_at - person_previous_prepared_at <= interval 24 hours,
                person_day_seq > 1
            )
            else false
        end as is_likely_duplicate,
    from sequenced
),

unruled as (
    select
        * exclude (is_ruled),
        false as is_likely_duplicate,
    from trusted
    where not is_ruled
)

select * from flagged
union all by name
select * from unruled
