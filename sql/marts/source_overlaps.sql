-- One row per pair of sources, state and prepare month where both hold rows: the seams
-- between releases. Each source's detainers and declines on the days both hold (the days
-- between the later first and the earlier last prepare date of the two) and in the states
-- both hold (their manifest states), counted from all their loaded rows, whatever their
-- trusted windows (which decide only what the other marts count): so a user sees where two
-- releases agree and where to set the windows at which one takes over from the other (DDP
-- compares weekly counts by hand for this). Likely duplicates are counted as loaded.
-- depends on: staging.stg_loaded_rows, staging.stg_loads, staging.stg_sources, macros.field_values,
--   macros.in_states
with held as (
    select
        load_key,
        prepare_date,
        state_id,
        lift_reason_id,
        count(*) as detainers,
    from staging.stg_loaded_rows
    -- one source alone has no seams: its rows are not read (at millions of rows, a pass over them)
    where (select count(distinct source) from staging.stg_loads where load_key in (select load_key from staging.stg_loaded_rows)) > 1
    group by all
),

daily as (
    select
        loads.source,
        held.prepare_date,
        state.state_code,
        sum(held.detainers) as detainers,
        coalesce(sum(held.detainers) filter (where outcome.outcome = 'declined'), 0) as declined_detainers,
    from held
    inner join staging.stg_loads as loads
        on held.load_key = loads.load_key
    inner join macros.field_values('state') as state
        on state.load_key = held.load_key
        and state.value_id = held.state_id
    inner join macros.field_values('lift_reason') as outcome
        on outcome.load_key = held.load_key
        and outcome.value_id = held.lift_reason_id
    group by all
),

extents as (
    select
        daily.source,
        min(daily.prepare_date) as first_day,
        max(daily.prepare_date) as last_day,
        any_value(sources.states) as states,
    from daily
    inner join staging.stg_sources as sources
        on daily.source = sources.source
    group by daily.source
),

pairs as (
    select
        a.source,
        b.source as other_source,
        greatest(a.first_day, b.first_day) as first_day,
        least(a.last_day, b.last_day) as last_day,
        a.states,
        b.states as other_states,
    from extents as a
    inner join extents as b
        on a.source < b.source
        and greatest(a.first_day, b.first_day) <= least(a.last_day, b.last_day)
),

sides as (
    select
        pairs.source,
        pairs.other_source,
        daily.state_code,
        date_trunc('month', daily.prepare_date)::date as prepare_month,
        daily.source = pairs.source as is_first,
        sum(daily.detainers) as detainers,
        sum(daily.declined_detainers) as declined_detainers,
    from pairs
    inner join daily
        on daily.source in (pairs.source, pairs.other_source)
        and daily.prepare_date between pairs.first_day and pairs.last_day
    where macros.in_states(daily.state_code, pairs.states)
        and macros.in_states(daily.state_code, pairs.other_states)
    group by all
)

select
    source,
    other_source,
    state_code,
    prepare_month,
    coalesce(sum(detainers) filter (where is_first), 0)::bigint as detainers,
    coalesce(sum(declined_detainers) filter (where is_first), 0)::bigint as declined_detainers,
    coalesce(sum(detainers) filter (where not is_first), 0)::bigint as other_detainers,
    coalesce(sum(declined_detainers) filter (where not is_first), 0)::bigint as other_declined_detainers,
from sides
group by all
order by source, other_source, prepare_month, state_code
