-- Declined detainers per ISO week (Monday to Sunday) of the decline date, whatever the week
-- the detainer was issued: how ICE's weekly Declined Detainer Outcome Report (2017) counted.
-- depends on: marts.daily_declines_by_jurisdiction, macros.declining_jurisdictions,
--   macros.declined_without_jurisdiction
with declines as (
    select
        date_trunc('week', decline_date)::date as decline_week,
        jurisdiction_id,
        declined_detainers,
    from marts.daily_declines_by_jurisdiction
)

select
    decline_week,
    isoyear(decline_week) as iso_year,
    week(decline_week) as iso_week,
    sum(declined_detainers)::bigint as declined_detainers,
    macros.declining_jurisdictions(jurisdiction_id, declined_detainers) as declining_jurisdictions,
    macros.declined_without_jurisdiction(jurisdiction_id, declined_detainers) as declined_without_jurisdiction,
from declines
group by all
order by decline_week
