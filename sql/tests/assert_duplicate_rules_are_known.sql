-- Every source's duplicate rule is one staging.stg_detainer_rows applies; any other would
-- silently flag nothing.
with sources as (
    select
        source,
        duplicate_rule,
    from audit.sources
)

select
    source,
    duplicate_rule,
from sources
where duplicate_rule is null
    or duplicate_rule not in (
        'none',
        'same_detainer_id',
        'same_person_same_prepare_date',
        'same_person_within_24_hours'
    )
