-- A facility's name as jurisdictions are folded by: a trailing state of its own (", PA",
-- "(CO)", "- TEXAS") dropped, then spelled as macros.spelled_name spells facilities. Spellings
-- of one jail ("DAUPHIN CNTY JAIL, PA", "DAUPHIN COUNTY JAIL") fold to one name.
-- depends on: reference.states, macros.spelled_name
-- materialized: macro (facility_name, state_code)
macros.spelled_name(
    regexp_replace(
        facility_name,
        '\s*[,(/-]\s*(' || state_code || '|'
            || coalesce((select string_agg(name, '|') from reference.states where code = state_code), state_code)
            || ')\s*\)?\s*$',
        ''
    ),
    'facility'
)
