-- One row per known jurisdiction (a facility, folded: intermediate.jurisdiction_variants) with
-- the agency that runs it, from the reviewed table reference.agencies (a county's jails to its
-- sheriff or corrections department, New York City's jails to its Department of Correction, a
-- state's prisons to its corrections department, U.S. Marshals districts, federal prisons and
-- ICE's own sites as such), matched on any spelling folded into the jurisdiction and its state.
-- A facility the table does not list has no agency (agency_reviewed false): it is counted apart,
-- never guessed into one.
-- depends on: intermediate.jurisdiction_variants, reference.agencies, reference.agency_kinds
with matched as (
    select
        variants.jurisdiction_id,
        min(agencies.agency) as agency,
        min(agencies.agency_kind) as agency_kind,
        count(distinct agencies.agency) as agencies,
    from intermediate.jurisdiction_variants as variants
    inner join reference.agencies as agencies
        on agencies.facility_name = variants.facility_name
        and agencies.state_code = variants.state_code
    group by variants.jurisdiction_id
),

jurisdictions as (
    select distinct
        jurisdiction_id,
    from intermediate.jurisdiction_variants
)

select
    jurisdictions.jurisdiction_id,
    matched.agency,
    matched.agency_kind,
    kinds.level as agency_level,
    matched.jurisdiction_id is not null as agency_reviewed,
    coalesce(matched.agencies, 0) as agencies_listed,
from jurisdictions
left join matched
    on jurisdictions.jurisdiction_id = matched.jurisdiction_id
left join reference.agency_kinds as kinds
    on matched.agency_kind = kinds.agency_kind
order by jurisdictions.jurisdiction_id
