-- One row per published figure (reference.published_figures): the warehouse's own figure
-- for the same metric, window and scope (the nation, or a state), computed by marts.headline
-- (the same definitions the report uses), the difference (ours minus published), how much
-- of the figure's days x states the loaded data covers, and a status
-- (macros.reconciliation_status): a figure the data covers only in part is never a
-- disagreement for being higher than ours.
-- depends on: reference.published_figures, marts.headline, macros.reconciliation_status
with figures as (
    select
        figure_id,
        publisher,
        metric,
        scope,
        window_start,
        window_end,
        value as published_value,
        citation,
    from reference.published_figures
),

ours as (
    select
        figures.figure_id,
        headline.* exclude (window_start, window_end, states, basis, last_extracted_on),
    from figures,
        lateral marts.headline(
            figures.window_start,
            figures.window_end,
            states := if(figures.scope = 'national', null, [figures.scope])
        ) as headline
),

ours_by_metric as (
    -- a figure's metric names a column of marts.headline
    unpivot ours
    on detainers_issued, declined_detainers, declining_jurisdictions, declined_without_jurisdiction
    into name metric value warehouse_value
)

select
    figures.figure_id,
    figures.publisher,
    figures.metric,
    figures.scope,
    figures.window_start,
    figures.window_end,
    figures.published_value,
    ours.warehouse_value,
    ours.warehouse_value - figures.published_value as difference,
    ours.coverage_start,
    ours.coverage_end,
    ours.coverage_ratio,
    macros.reconciliation_status(ours.warehouse_value, figures.published_value, ours.coverage_complete) as status,
    figures.citation,
from figures
left join ours_by_metric as ours
    on figures.figure_id = ours.figure_id
    and figures.metric = ours.metric
order by figures.window_start, figures.window_end, figures.figure_id
