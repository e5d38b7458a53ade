-- Every row of the reviewed agency table (reference.agencies) names a facility, a state of
-- reference.states, an agency, a kind of reference.agency_kinds and its reason, each facility
-- of a state once; and no jurisdiction is folded from spellings the table puts under two
-- agencies (intermediate.jurisdiction_agencies.agencies_listed).
with listed as (
    select
        agencies.facility_name,
        agencies.state_code,
        agencies.agency,
        'row' as problem,
    from reference.agencies as agencies
    left join reference.agency_kinds as kinds
        on agencies.agency_kind = kinds.agency_kind
    where coalesce(trim(agencies.facility_name), '') = ''
        or coalesce(trim(agencies.agency), '') = ''
        or coalesce(trim(agencies.reason), '') = ''
        or kinds.agency_kind is null
        or agencies.state_code not in (select code from reference.states)
),

repeated as (
    select
        facility_name,
        state_code,
        string_agg(agency, '; ') as agency,
        'listed twice' as problem,
    from reference.agencies
    group by facility_name, state_code
    having count(*) > 1
),

conflicting as (
    select
        jurisdiction_id as facility_name,
        null as state_code,
        agency,
        'spellings under two agencies' as problem,
    from intermediate.jurisdiction_agencies
    where agencies_listed > 1
)

select * from listed
union all
select * from repeated
union all
select * from conflicting
