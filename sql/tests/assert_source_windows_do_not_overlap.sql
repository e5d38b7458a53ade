-- Two sources trusted for the same prepare date would count a detainer twice.
with sources as (
    select
        source,
        coalesce(window_start, date '0001-01-01') as window_start,
        coalesce(window_end, date '9999-12-31') as window_end,
    from audit.sources
)

select
    a.source as source,
    b.source as overlapping_source,
from sources as a
inner join sources as b
    on a.source < b.source
    and a.window_start <= b.window_end
    and b.window_start <= a.window_end
