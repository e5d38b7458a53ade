-- Declined detainers per decline date (lift_date), state and jurisdiction (null: no known
-- jurisdiction). Only releases that publish the lift date (2025-ICFO-18038) give rows here.
-- depends on: intermediate.detainer_counts, intermediate.jurisdiction_keys
with by_key as (
    select
        lift_date as decline_date,
        jurisdiction_key,
        sum(detainers)::bigint as declined_detainers,
    from intermediate.detainer_counts
    where is_declined
        and lift_date is not null
    group by all
)

select
    by_key.decline_date,
    jurisdictions.state_code,
    jurisdictions.jurisdiction_id,
    by_key.declined_detainers,
from by_key
inner join intermediate.jurisdiction_keys as jurisdictions
    on by_key.jurisdiction_key = jurisdictions.jurisdiction_key
order by by_key.decline_date, jurisdictions.state_code, jurisdictions.jurisdiction_id
