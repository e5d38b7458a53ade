-- How much of each month of a window its data covers, for the charts: the month's days in
-- the window, the days with any data, the most states covered on one of its days, and its
-- covered share of days x states. A month covered for part of its days or states is drawn
-- apart on the HTML report's monthly chart, labelled with what it holds ("1 of 56 states").
--   select * from marts.monthly_coverage(date '2014-01-01', date '2017-05-31')
-- depends on: marts.window_days_covered, macros.state_count
-- materialized: table macro (window_start, window_end, states := null, basis := 'prepare')
select
    date_trunc('month', day)::date as month,
    count(*)::bigint as days_in_window,
    count(*) filter (where states_covered > 0)::bigint as days_covered,
    max(states_covered)::bigint as most_states_covered,
    macros.state_count(states)::bigint as state_count,
    round(sum(states_covered) / (count(*) * macros.state_count(states)), 4) as coverage_ratio,
from marts.window_days_covered(window_start, window_end, states := states, basis := basis)
group by all
order by month
