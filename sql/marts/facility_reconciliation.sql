-- One row per calendar year, facility and state that NPR's count of declined detainers per
-- facility (reference.published_facility_declines) or the warehouse holds, in the years NPR
-- counted: both sides keyed by the same normalized facility name and state code, over the
-- days of the year NPR's data holds (its national figure's window: 2007 from 2007-10-01, 2015
-- to 2015-07-19). A facility-year is compared only when the loaded data covers every one of
-- those days for its state (for a facility with no state: for every state); otherwise it is
-- not_comparable, never a pass (macros.reconciliation_status: match, disagree).
-- depends on: reference.published_facility_declines, reference.published_figures, intermediate.detainer_counts,
--   intermediate.places, marts.daily_coverage, macros.state_count, macros.window_cells, macros.coverage_ratio,
--   macros.reconciliation_status
with published as (
    select
        year,
        facility_name,
        state_code,
        sum(declined_detainers)::bigint as published_declined,
    from reference.published_facility_declines
    group by all
),

years as (
    -- the days of each year NPR's data holds: its national yearly figure's window
    select
        year(window_start) as year,
        window_start as year_start,
        window_end as year_end,
    from reference.published_figures
    where publisher = 'NPR'
        and metric = 'declined_detainers'
        and scope = 'national'
        and coalesce(breakdown_of, '') = ''
),

ours as (
    select
        year(counts.prepare_date) as year,
        places.facility_name,
        places.state_code,
        sum(counts.detainers)::bigint as warehouse_declined,
    from intermediate.detainer_counts as counts
    inner join intermediate.places as places
        on counts.place_key = places.place_key
    inner join years
        on counts.prepare_date between years.year_start and years.year_end
    where counts.is_declined
        and places.facility_name is not null
        and year(counts.prepare_date) in (select year from published)
    group by all
),

compared as (
    select
        coalesce(published.year, ours.year) as year,
        coalesce(published.facility_name, ours.facility_name) as facility_name,
        coalesce(published.state_code, ours.state_code) as state_code,
        coalesce(published.published_declined, 0) as published_declined,
        coalesce(ours.warehouse_declined, 0) as warehouse_declined,
    from published
    full outer join ours
        on published.year = ours.year
        and published.facility_name = ours.facility_name
        and published.state_code is not distinct from ours.state_code
),

coverage as (
    -- covered cells per year and state; the (year) grouping is the nation's
    select
        years.year,
        daily.state_code,
        count(*) as covered_cells,
    from marts.daily_coverage as daily
    inner join years
        on daily.day between years.year_start and years.year_end
    group by grouping sets ((years.year, daily.state_code), (years.year))
),

cells as (
    select
        compared.*,
        coalesce(coverage.covered_cells, 0) as covered_cells,
        years.year_start,
        years.year_end,
        if(compared.state_code is null, macros.state_count(null), 1) as state_count,
    from compared
    inner join years
        on compared.year = years.year
    left join coverage
        on compared.year = coverage.year
        and compared.state_code is not distinct from coverage.state_code
)

select
    year,
    facility_name,
    state_code,
    published_declined,
    warehouse_declined,
    warehouse_declined - published_declined as difference,
    year_start,
    year_end,
    macros.coverage_ratio(covered_cells, year_start, year_end, state_count) as coverage_ratio,
    if(
        covered_cells = macros.window_cells(year_start, year_end, state_count),
        macros.reconciliation_status(warehouse_declined, published_declined, 0),
        'not_comparable'
    ) as status,
from cells
order by year, state_code, facility_name
