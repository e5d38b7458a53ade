-- One row per published figure (reference.published_figures): the warehouse's own figure
-- for the same metric and window, the difference (ours minus published), how much of the
-- window the loaded data covers, and a status:
--   match: ours equals the published value;
--   gap_explained_by_coverage: ours is lower and the loaded data covers less than the window;
--   disagreement: anything else.
with figures as (
    select
        figure_id,
        publisher,
        metric,
        window_start,
        window_end,
        value as published_value,
        citation,
    from reference.published_figures
),

daily as (
    select
        prepare_date,
        jurisdiction_id,
        detainers,
        declined_detainers,
    from marts.daily_detainers_by_jurisdiction
),

ours_per_figure as (
    select
        figures.figure_id,
        coalesce(sum(daily.detainers), 0)::bigint as detainers_issued,
        coalesce(sum(daily.declined_detainers), 0)::bigint as declined_detainers,
        count(distinct daily.jurisdiction_id) filter (where daily.declined_detainers > 0) as declining_jurisdictions,
        min(daily.prepare_date) as coverage_start,
        max(daily.prepare_date) as coverage_end,
    from figures
    left join daily
        on daily.prepare_date between figures.window_start and figures.window_end
    group by figures.figure_id
),

compared as (
    select
        figures.*,
        case figures.metric
            when 'detainers_issued' then ours_per_figure.detainers_issued
            when 'declined_detainers' then ours_per_figure.declined_detainers
            when 'declining_jurisdictions' then ours_per_figure.declining_jurisdictions
        end as warehouse_value,
        ours_per_figure.coverage_start,
        ours_per_figure.coverage_end,
        round(
            coalesce(datediff('day', ours_per_figure.coverage_start, ours_per_figure.coverage_end) + 1, 0)
            / (datediff('day', figures.window_start, figures.window_end) + 1),
            4
        ) as coverage_ratio,
        coalesce(
            ours_per_figure.coverage_start > figures.window_start
                or ours_per_figure.coverage_end < figures.window_end,
            true
        ) as coverage_incomplete,
    from figures
    inner join ours_per_figure
        on figures.figure_id = ours_per_figure.figure_id
)

select
    figure_id,
    publisher,
    metric,
    window_start,
    window_end,
    published_value,
    warehouse_value,
    warehouse_value - published_value as difference,
    coverage_start,
    coverage_end,
    coverage_ratio,
    case
        when warehouse_value = published_value then 'match'
        when warehouse_value < published_value and coverage_incomplete then 'gap_explained_by_coverage'
        else 'disagreement'
    end as status,
    citation,
from compared
order by window_start, window_end, figure_id
