-- The states a table macro is asked about, as the sorted distinct two-letter codes of
-- reference.states: each given as a code or a name, in any case ('CA', 'ca', 'California',
-- 'CALIFORNIA' are all 'CA'); null (the nation) stays null. A value that names no state is an
-- error, never a filter that quietly matches nothing.
-- depends on: reference.states
-- materialized: macro (states)
case
    when states is null then null
    else (
        select
            list_sort(list_distinct(list(coalesce(
                known.code,
                error('unknown state ''' || asked.state || ''' in states: give two-letter codes or names '
                    || 'of reference.states, such as ''CA'' or ''California''')
            )))),
        from unnest(states::varchar[]) as asked(state)
        left join (
            select distinct upper(name) as spelling, code from reference.states
            union
            select distinct code as spelling, code from reference.states
        ) as known
            on known.spelling = upper(trim(asked.state))
    )
end
