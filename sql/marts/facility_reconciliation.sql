-- One row per calendar year, facility and state that NPR's count of declined detainers per
-- facility (reference.published_facility_declines) or the warehouse holds, in the years NPR
-- counted: both sides keyed by the same normalized facility name and state code. A
-- facility-year is fully covered when every day of its year is covered for its state (for
-- a facility with no state: for every state); ours lower than NPR's is a coverage gap only
-- when it is not (macros.reconciliation_status).
-- depends on: reference.published_facility_declines, intermediate.detainer_counts, intermediate.places,
--   marts.daily_coverage, macros.state_count, macros.window_cells, macros.coverage_ratio, macros.reconciliation_status
with published as (
    select
        year,
        facility_name,
        state_code,
        sum(declined_detainers)::bigint as published_declined,
    from reference.published_facility_declines
    group by all
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
        year(day) as year,
        state_code,
        count(*) as covered_cells,
    from marts.daily_coverage
    group by grouping sets ((year(day), state_code), (year(day)))
),

cells as (
    select
        compared.*,
        coalesce(coverage.covered_cells, 0) as covered_cells,
        make_date(compared.year, 1, 1) as year_start,
        make_date(compared.year, 12, 31) as year_end,
        if(compared.state_code is null, macros.state_count(null), 1) as state_count,
    from compared
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
    macros.coverage_ratio(covered_cells, year_start, year_end, state_count) as coverage_ratio,
    macros.reconciliation_status(
        warehouse_declined, published_declined, covered_cells = macros.window_cells(year_start, year_end, state_count)
    ) as status,
from cells
order by year, state_code, facility_name
