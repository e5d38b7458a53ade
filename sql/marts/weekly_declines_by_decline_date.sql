-- Declined detainers per ISO week (Monday to Sunday) of the decline date, whatever the week
-- the detainer was issued: how ICE's weekly Declined Detainer Outcome Report (2017) counted.
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
    count(distinct jurisdiction_id) as declining_jurisdictions,
    coalesce(sum(declined_detainers) filter (where jurisdiction_id is null), 0)::bigint
        as declined_without_jurisdiction,
from declines
group by all
order by decline_week
