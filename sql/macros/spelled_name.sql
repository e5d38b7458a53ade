-- A place's or facility's name as placement and folding compare it: accents dropped, upper
-- case, a single letter's elision a space (O'FALLON is O FALLON, COEUR D'ALENE is COEUR D ALENE, as
-- the ZIP table of reference.city_counties spells them), any other apostrophe removed (SHERIFF'S
-- is SHERIFFS), any other punctuation a space, and each
-- word that reference.name_abbreviations lists for `scope` ('facility' or 'city') spelled out
-- (CNTY, CO. and CTY are COUNTY; FT. is FORT). Null for a null name.
-- depends on: reference.name_abbreviations
-- materialized: macro (name, scope)
(
    select
        string_agg(coalesce(abbreviations.expansion, words.word), ' ' order by words.position),
    from (
        select
            unnest(spaced.words) as word,
            generate_subscripts(spaced.words, 1) as position,
        from (
            select
                string_split(trim(regexp_replace(
                    replace(
                        regexp_replace(upper(strip_accents(name)), '(^|[^A-Z0-9])([A-Z])''', '\1\2 ', 'g'),
                        '''', ''
                    ),
                    '[^A-Z0-9]+', ' ', 'g'
                )), ' ') as words,
        ) as spaced
    ) as words
    left join reference.name_abbreviations as abbreviations
        on abbreviations.abbreviation = words.word
        and abbreviations.applies_to = scope
    where words.word <> ''
)
