-- The stretches of a window over which its coverage holds still: consecutive days on which
-- the loaded data covers the same number of the states asked about (0: no data). A window
-- covered for one state and then for all of them is two stretches, which `detainers report`
-- prints apart so a jump in declines between them is not read as a change in the world.
--   select * from marts.coverage_stretches(date '2014-01-01', date '2017-05-31')
-- depends on: marts.window_days_covered, macros.state_count
-- materialized: table macro (window_start, window_end, states := null, basis := 'prepare')
with counted as (
    select * from marts.window_days_covered(window_start, window_end, states := states, basis := basis)
),

numbered as (
    -- days in a row with the same count share (day number - rank within that count)
    select
        day,
        states_covered,
        datediff('day', window_start::date, day)
            - row_number() over (partition by states_covered order by day) as island,
    from counted
)

select
    min(day) as stretch_start,
    max(day) as stretch_end,
    states_covered::bigint as states_covered,
    macros.state_count(states)::bigint as state_count,
from numbered
group by states_covered, island
order by stretch_start
