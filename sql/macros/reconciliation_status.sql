-- How a figure of the warehouse compares with a published one (the statuses and what they
-- mean: reference.reconciliation_statuses). Ours lower with the window not wholly covered is
-- explained by coverage; ours higher never is (more data can only add to ours).
-- materialized: macro (warehouse_value, published_value, coverage_complete)
case
    when warehouse_value = published_value then 'match'
    when warehouse_value < published_value and not coverage_complete then 'gap_explained_by_coverage'
    else 'disagreement'
end
