-- One row per load and pair of facility and state value ids the counted rows hold: the place
-- they name (a normalized facility name, null when blank, and a state code, with whether the
-- facility is a placeholder and the jurisdiction it makes: its spelling's, folded with the
-- other spellings of one facility by intermediate.jurisdiction_variants) and the place's small
-- integer key.
-- The counts group by this key, so long names are joined once per mart (intermediate.places),
-- not carried through every aggregation.
-- depends on: intermediate.detainer_key_counts, macros.field_values, intermediate.jurisdiction_variants,
--   macros.jurisdiction_id
with pairs as (
    select distinct
        load_key,
        facility_id,
        state_id,
    from intermediate.detainer_key_counts
),

named as (
    select
        pairs.load_key,
        pairs.facility_id,
        pairs.state_id,
        facility.facility_name,
        facility.facility_is_placeholder,
        state.state_code,
        variants.jurisdiction_id,
    from pairs
    inner join macros.field_values('facility') as facility
        on facility.load_key = pairs.load_key
        and facility.value_id = pairs.facility_id
    inner join macros.field_values('state') as state
        on state.load_key = pairs.load_key
        and state.value_id = pairs.state_id
    left join intermediate.jurisdiction_variants as variants
        on variants.variant_id = macros.jurisdiction_id(facility.facility_name, facility.facility_is_placeholder, state.state_code)
)

select
    load_key,
    facility_id,
    state_id,
    dense_rank() over (order by facility_name, state_code, facility_is_placeholder) as place_key,
    dense_rank() over (order by state_code, jurisdiction_id) as jurisdiction_key,
    facility_name,
    state_code,
    facility_is_placeholder,
    jurisdiction_id,
from named
