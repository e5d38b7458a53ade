-- A published breakdown (figures naming another in breakdown_of, such as NPR's months of a
-- year) is of the same publisher, metric, scope and basis as its figure, lies inside its
-- window, and, where its parts fill that window day for day, adds up to it: comparing the
-- parts the data holds compares the counts the figure is made of.
with figures as (
    select
        *,
        datediff('day', window_start, window_end) + 1 as days,
    from reference.published_figures
),

parts as (
    select
        parts.breakdown_of as figure_id,
        count(*) as parts,
        sum(parts.value) as parts_value,
        sum(parts.days) as parts_days,
        bool_and(
            parts.publisher = whole.publisher
            and parts.metric = whole.metric
            and parts.scope = whole.scope
            and parts.basis = whole.basis
            and parts.window_start >= whole.window_start
            and parts.window_end <= whole.window_end
        ) as alike,
    from figures as parts
    left join figures as whole
        on parts.breakdown_of = whole.figure_id
    where coalesce(parts.breakdown_of, '') <> ''
    group by parts.breakdown_of
)

select
    parts.*,
    whole.value,
    whole.days,
from parts
left join figures as whole
    on parts.figure_id = whole.figure_id
where whole.figure_id is null
    or not coalesce(parts.alike, false)
    or (parts.parts_days = whole.days and parts.parts_value <> whole.value)
