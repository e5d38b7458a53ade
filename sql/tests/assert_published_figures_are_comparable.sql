-- Every published figure names a metric of marts.headline and a window in order, and has a
-- status of reference.reconciliation_statuses: a figure that cannot be compared fails the
-- build instead of showing as a disagreement.
with reconciled as (
    select
        figure_id,
        metric,
        window_start,
        window_end,
        warehouse_value,
        status,
    from marts.reconciliation
)

select
    figure_id,
    metric,
    window_start,
    window_end,
    status,
from reconciled
where warehouse_value is null
    or window_start > window_end
    or status not in (select status from reference.reconciliation_statuses)
