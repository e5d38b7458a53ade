-- Every mart that splits detainers adds up to the counted detainers (intermediate.detainer_counts).
with staged as (
    select
        coalesce(sum(detainers), 0) as detainers,
        coalesce(sum(detainers) filter (where is_declined), 0) as declined,
    from intermediate.detainer_counts
),

by_state as (
    select
        coalesce(sum(detainers), 0) as detainers,
        coalesce(sum(detainers) filter (where outcome = 'declined'), 0) as declined,
    from marts.monthly_detainers_by_state_outcome
),

by_day as (
    select
        coalesce(sum(detainers), 0) as detainers,
        coalesce(sum(declined_detainers), 0) as declined,
    from marts.daily_detainers_by_jurisdiction
)

select
    staged.detainers as staged_detainers,
    by_state.detainers as state_mart_detainers,
    by_day.detainers as daily_mart_detainers,
from staged, by_state, by_day
where staged.detainers != by_state.detainers
    or staged.detainers != by_day.detainers
    or staged.declined != by_state.declined
    or staged.declined != by_day.declined
