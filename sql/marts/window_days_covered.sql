-- Every day of a window with how many of the states asked about its loaded data covers that
-- day (0: no data): what marts.coverage_stretches and marts.monthly_coverage both group. On
-- basis 'decline' only sources that publish decline dates (lift dates) cover a day.
--   select * from marts.window_days_covered(date '2014-01-01', date '2017-05-31')
-- depends on: marts.daily_coverage, macros.in_scope, macros.state_codes
-- materialized: table macro (window_start, window_end, states := null, basis := 'prepare')
with days as (
    select
        unnest(generate_series(window_start::date, window_end::date, interval 1 day))::date as day,
),

asked as (
    select
        macros.state_codes(states) as codes,
),

covered as (
    select
        day,
        count(distinct state_code) as states_covered,
    from marts.daily_coverage, asked
    where macros.in_scope(day, state_code, window_start, window_end, asked.codes)
        and (basis = 'prepare' or has_decline_dates)
    group by day
)

select
    days.day,
    coalesce(covered.states_covered, 0)::bigint as states_covered,
from days
left join covered
    on days.day = covered.day
order by days.day
