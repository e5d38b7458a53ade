-- No (day, state) is trusted from two sources: each source is trusted on its window x its
-- states (every state when it names none; an open window end reaches on), so a detainer in
-- two releases counts once. Names both sources and the first such cell. Only sources that
-- hold rows count: one whose file was never loaded (not yet recognized, or failing) holds none.
with states as (
    select
        list_sort(list(distinct code)) as all_states,
    from reference.states
),

trusted as (
    select
        source,
        coalesce(window_start, date '0001-01-01') as window_start,
        coalesce(window_end, date '9999-12-31') as window_end,
        coalesce(sources.states, states.all_states) as states,
    from audit.sources as sources, states
    where sources.current_load_id is not null
)

select
    a.source as source,
    b.source as overlapping_source,
    greatest(a.window_start, b.window_start) as first_day,
    list_sort(list_intersect(a.states, b.states))[1] as first_state,
from trusted as a
inner join trusted as b
    on a.source < b.source
    and a.window_start <= b.window_end
    and b.window_start <= a.window_end
    and len(list_intersect(a.states, b.states)) > 0
