-- Declined detainers with no known jurisdiction (a placeholder facility or a blank one).
-- An aggregate over rows of (jurisdiction, declines); every figure of it uses this macro.
-- materialized: macro (jurisdiction_id, declined_detainers)
coalesce(sum(declined_detainers) filter (where jurisdiction_id is null), 0)::bigint
