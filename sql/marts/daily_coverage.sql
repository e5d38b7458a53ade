-- One row per day, state and the source that covers it: the source is trusted for that day
-- (its window) and that state (its states; every state when it names none), and its counted
-- rows reach that day (between its first and last prepare date). A figure's coverage is the
-- share of its days x states found here (macros.coverage_ratio).
-- depends on: staging.stg_sources, staging.stg_loads, intermediate.detainer_counts, reference.states, macros.in_states
with states as (
    select distinct
        code as state_code,
    from reference.states
),

extents as (
    select
        loads.source,
        min(counts.prepare_date) as first_day,
        max(counts.prepare_date) as last_day,
    from intermediate.detainer_counts as counts
    inner join staging.stg_loads as loads
        on counts.load_key = loads.load_key
    group by loads.source
),

spans as (
    -- detainer_counts holds each source's rows inside its window only
    select
        sources.source,
        extents.first_day,
        extents.last_day,
        sources.states,
        sources.has_lift_date,
        sources.extracted_on,
    from staging.stg_sources as sources
    inner join extents
        on sources.source = extents.source
),

days as (
    select
        source,
        unnest(generate_series(first_day, last_day, interval 1 day))::date as day,
    from spans
)

select
    days.day,
    states.state_code,
    spans.source,
    spans.has_lift_date as has_decline_dates,
    spans.extracted_on,
from days
inner join spans
    on days.source = spans.source
inner join states
    on macros.in_states(states.state_code, spans.states)
order by days.day, states.state_code
