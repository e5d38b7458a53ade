-- How much of each month of a window its data covers, for the charts: the month's days in
-- the window, the days with any data, the most states covered on one of its days, and its
-- covered share of days x states. A month covered for part of its days or states is drawn
-- apart on the HTML report's monthly chart, labelled with what it holds ("1 of 56 states").
--   select * from marts.monthly_coverage(date '2014-01-01', date '2017-05-31')
-- depends on: marts.daily_coverage, macros.in_scope, macros.state_count
-- materialized: table macro (window_start, window_end, states := null)
with days as (
    select
        unnest(generate_series(window_start::date, window_end::date, interval 1 day))::date as day,
),

covered as (
    select
        day,
        count(distinct state_code) as states_covered,
    from marts.daily_coverage
    where macros.in_scope(day, state_code, window_start, window_end, states)
    group by day
)

select
    date_trunc('month', days.day)::date as month,
    count(*)::bigint as days_in_window,
    count(covered.day)::bigint as days_covered,
    coalesce(max(covered.states_covered), 0)::bigint as most_states_covered,
    macros.state_count(states)::bigint as state_count,
    round(coalesce(sum(covered.states_covered), 0) / (count(*) * macros.state_count(states)), 4) as coverage_ratio,
from days
left join covered
    on days.day = covered.day
group by all
order by month
