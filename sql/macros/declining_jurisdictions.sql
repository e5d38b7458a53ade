-- Declining jurisdictions: distinct known jurisdictions with at least one declined detainer.
-- An aggregate over rows of (jurisdiction, declines); every figure of it uses this macro.
-- materialized: macro (jurisdiction_id, declined_detainers)
count(distinct jurisdiction_id) filter (where declined_detainers > 0)
