-- One row per published figure, compared like with like: the warehouse's own figure for the
-- same metric, window, states and basis, on data it holds whole.
--   national figures: reference.published_figures (the inspector general, NPR, TRAC);
--   state figures: NPR's declines per facility and year (reference.published_facility_declines)
--     summed per state, as figures of that state (rows with no facility are in neither side,
--     as NPR left them out).
-- A figure whose every day x state the loaded data covers is compared whole. A figure the data
-- covers only in part is compared on the part held when the publisher gives a breakdown of it
-- (rows with breakdown_of, such as NPR's months of a year) whose parts the data holds whole:
-- the parts' published values summed against ours over the same parts. Otherwise, and for a
-- figure whose basis the publisher does not state, the row is not_comparable, with its
-- reason; a comparison that is made can fail (macros.reconciliation_status: match,
-- within_tolerance, disagree). window_start/window_end and published_value are those
-- compared; figure_window_start/figure_window_end and figure_value as published.
-- depends on: reference.published_figures, reference.published_facility_declines, marts.headline,
--   marts.daily_coverage, intermediate.detainer_counts, intermediate.places, macros.reconciliation_status,
--   macros.state_count, macros.window_cells, macros.coverage_ratio
with national as (
    select
        figure_id,
        publisher,
        metric,
        scope,
        window_start,
        window_end,
        value as figure_value,
        basis,
        tolerance::double as tolerance,
        nullif(breakdown_of, '') as breakdown_of,
        citation,
        nullif(note, '') as note,
    from reference.published_figures
),

state_years as (
    -- NPR's declines per facility and year, summed per state: a state figure of the year
    -- (the year's window is NPR's national figure's, which says where NPR's data ends)
    select
        yearly.figure_id || '-' || lower(facilities.state_code) as figure_id,
        yearly.publisher,
        yearly.metric,
        facilities.state_code as scope,
        yearly.window_start,
        yearly.window_end,
        sum(facilities.declined_detainers)::bigint as figure_value,
        yearly.basis,
        yearly.tolerance,
        null::varchar as breakdown_of,
        'NPR, nprapps/sanctuary-cities export/declined_vs_everythingelse.csv (commit f80c438): the year''s declines '
            || 'at the state''s facilities, summed (rows with no facility left out, as NPR did)' as citation,
        yearly.note,
    from reference.published_facility_declines as facilities
    inner join national as yearly
        on yearly.publisher = 'NPR'
        and yearly.metric = 'declined_detainers'
        and yearly.scope = 'national'
        and yearly.breakdown_of is null
        and year(yearly.window_start) = facilities.year
    where facilities.state_code is not null
    group by all
),

figures as (
    select * from national
    union all
    select * from state_years
),

covered as (
    -- the cells of each figure's days x states that the loaded data covers (by prepare date)
    select
        figures.figure_id,
        count(daily.day) as covered_cells,
        min(daily.day) as coverage_start,
        max(daily.day) as coverage_end,
        macros.state_count(if(any_value(figures.scope) = 'national', null, [any_value(figures.scope)])) as state_count,
    from figures
    left join (
        -- each cell under its state's scope and the nation's: a join on equal scopes, where
        -- "national or the same state" made every state figure pair with every state's cells
        select day, unnest([state_code, 'national']) as scope from marts.daily_coverage
    ) as daily
        on daily.scope = figures.scope
        and daily.day between figures.window_start and figures.window_end
    group by figures.figure_id
),

national_ours as (
    select
        national.figure_id,
        headline.* exclude (window_start, window_end, states, basis, last_extracted_on),
    from national,
        lateral marts.headline(
            national.window_start,
            national.window_end,
            states := if(national.scope = 'national', null, [national.scope])
        ) as headline
),

national_by_metric as (
    -- a national figure's metric names a column of marts.headline
    unpivot national_ours
    on detainers_issued, declined_detainers, declining_jurisdictions, declined_without_jurisdiction
    into name metric value warehouse_value
),

state_ours as (
    -- declines at named facilities of the state, as NPR's facility counts hold them
    select
        state_years.figure_id,
        coalesce(sum(counts.detainers), 0)::bigint as warehouse_value,
    from state_years
    left join intermediate.places as places
        on places.state_code = state_years.scope
        and places.facility_name is not null
    left join intermediate.detainer_counts as counts
        on counts.place_key = places.place_key
        and counts.is_declined
        and counts.prepare_date between state_years.window_start and state_years.window_end
    group by state_years.figure_id
),

measured as (
    select
        figures.*,
        coalesce(national_by_metric.warehouse_value, state_ours.warehouse_value) as warehouse_value,
        covered.covered_cells,
        covered.coverage_start,
        covered.coverage_end,
        macros.coverage_ratio(covered.covered_cells, figures.window_start, figures.window_end, covered.state_count)
            as coverage_ratio,
        covered.covered_cells = macros.window_cells(figures.window_start, figures.window_end, covered.state_count)
            as held_whole,
        figures.metric <> 'declining_jurisdictions' as additive,
    from figures
    inner join covered
        on figures.figure_id = covered.figure_id
    left join national_by_metric
        on figures.figure_id = national_by_metric.figure_id
        and figures.metric = national_by_metric.metric
    left join state_ours
        on figures.figure_id = state_ours.figure_id
),

parts_held as (
    -- the parts of a figure's published breakdown that the data holds whole
    select
        breakdown_of as figure_id,
        count(*) as parts,
        min(window_start) as window_start,
        max(window_end) as window_end,
        min(figure_id) as first_part,
        max(figure_id) as last_part,
        sum(figure_value)::bigint as published_value,
        sum(warehouse_value)::bigint as warehouse_value,
    from measured
    where breakdown_of is not null
        and held_whole
        and basis = 'prepare'
    group by breakdown_of
),

parts_published as (
    select
        breakdown_of as figure_id,
        count(*) as parts,
    from measured
    where breakdown_of is not null
    group by breakdown_of
),

decided as (
    select
        measured.*,
        case
            when measured.basis <> 'prepare' then 'unstated_basis'
            when measured.held_whole then 'whole'
            when measured.covered_cells = 0 then 'none_held'
            when measured.additive and parts_held.parts > 0 then 'parts'
            else 'part_held'
        end as comparison,
        parts_held.parts as parts_compared,
        parts_published.parts as parts_published,
        parts_held.window_start as parts_start,
        parts_held.window_end as parts_end,
        parts_held.first_part,
        parts_held.last_part,
        parts_held.published_value as parts_published_value,
        parts_held.warehouse_value as parts_warehouse_value,
    from measured
    left join parts_held
        on measured.figure_id = parts_held.figure_id
    left join parts_published
        on measured.figure_id = parts_published.figure_id
),

compared as (
    select
        *,
        case comparison
            when 'whole' then window_start
            when 'parts' then parts_start
            else window_start
        end as compared_start,
        case comparison
            when 'whole' then window_end
            when 'parts' then parts_end
            else window_end
        end as compared_end,
        case comparison
            when 'whole' then figure_value
            when 'parts' then parts_published_value
            else figure_value
        end as compared_published,
        case comparison
            when 'whole' then warehouse_value
            when 'parts' then parts_warehouse_value
        end as compared_ours,
    from decided
)

select
    figure_id,
    publisher,
    metric,
    scope,
    if(scope = 'national', null, [scope])::varchar[] as states,
    basis,
    window_start as figure_window_start,
    window_end as figure_window_end,
    figure_value,
    compared_start as window_start,
    compared_end as window_end,
    compared_published as published_value,
    compared_ours as warehouse_value,
    compared_ours - compared_published as difference,
    tolerance,
    coverage_start,
    coverage_end,
    coverage_ratio,
    if(compared_ours is null, 'not_comparable',
       macros.reconciliation_status(compared_ours, compared_published, tolerance)) as status,
    case comparison
        when 'unstated_basis' then coalesce(note, 'the publisher does not say by which date a detainer falls in its window')
        when 'none_held' then 'the loaded data holds none of its window'
            || if(scope = 'national', '', ' for ' || scope)
        when 'part_held' then format(
            'the loaded data holds {}% of its window ({} .. {}){}',
            round(coverage_ratio * 100, 1), coverage_start, coverage_end,
            if(
                additive,
                ', and ' || publisher || ' gives no breakdown of it that the data holds whole',
                ', and declining jurisdictions cannot be added up over parts of a window'
            )
        )
        when 'parts' then format(
            'compared on the part held, {} .. {}: {} of the {} parts of its breakdown ({} .. {}), which the data holds whole; '
                || 'the loaded data holds {}% of its whole window',
            parts_start, parts_end, parts_compared, parts_published, first_part, last_part,
            round(coverage_ratio * 100, 1)
        )
        else 'the loaded data holds its whole window'
    end
        || if(
            compared_ours is not null and tolerance > 0,
            format('; tolerance {}% ({})', round(tolerance * 100, 2), coalesce(note, 'of the published figure')),
            ''
        )
        || if(comparison in ('whole', 'parts') and note is not null and tolerance = 0, '; ' || note, '')
        as reason,
    citation,
from compared
order by figure_window_start, figure_window_end, scope, figure_id
