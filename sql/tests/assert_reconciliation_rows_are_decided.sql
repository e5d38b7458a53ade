-- Every row of marts.reconciliation is decided: a status of reference.reconciliation_statuses
-- with its reason; a comparison made has both values, one not made (not_comparable) has
-- neither; each figure names a metric marts.headline computes and a basis the report knows,
-- and its windows are in order. A figure that cannot be compared says so; it never passes.
with reconciled as (
    select
        figure_id,
        metric,
        basis,
        figure_window_start,
        figure_window_end,
        window_start,
        window_end,
        warehouse_value,
        status,
        reason,
    from marts.reconciliation
)

select
    *,
from reconciled
where status not in (select status from reference.reconciliation_statuses)
    or coalesce(trim(reason), '') = ''
    or (status = 'not_comparable') <> (warehouse_value is null)
    or metric not in ('detainers_issued', 'declined_detainers', 'declining_jurisdictions', 'declined_without_jurisdiction')
    or basis not in ('prepare', 'decline', 'unstated')
    or window_start > window_end
    or figure_window_start > figure_window_end
    or window_start < figure_window_start
    or window_end > figure_window_end
