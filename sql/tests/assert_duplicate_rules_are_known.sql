-- Every source's duplicate rule is one staging.stg_detainer_keys applies
-- (reference.duplicate_rules); any other would silently flag nothing.
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
    or duplicate_rule not in (select rule from reference.duplicate_rules)
