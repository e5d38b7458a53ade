-- Declined detainers per decline date (lift_date), state and jurisdiction (null: no known
-- jurisdiction). Only releases that publish the lift date (2025-ICFO-18038) give rows here.
-- depends on: intermediate.detainer_counts
with declines as (
    select
        lift_date as decline_date,
        state_code,
        jurisdiction_id,
        detainers,
    from intermediate.detainer_counts
    where is_declined
        and lift_date is not null
)

select
    decline_date,
    state_code,
    jurisdiction_id,
    sum(detainers)::bigint as declined_detainers,
from declines
group by all
order by decline_date, state_code, jurisdiction_id
