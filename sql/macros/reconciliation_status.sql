-- How a figure of the warehouse compares with a published one counted the same way over the
-- same window, states and basis, on data held whole (the statuses and what they mean:
-- reference.reconciliation_statuses). `tolerance` is a share of the published figure (0: they
-- must be equal). A comparison that cannot be made is not_comparable, decided before this
-- macro is called: every status it gives can fail.
-- materialized: macro (warehouse_value, published_value, tolerance)
case
    when warehouse_value = published_value then 'match'
    when abs(warehouse_value - published_value) <= coalesce(tolerance, 0) * published_value then 'within_tolerance'
    else 'disagree'
end
