-- What to read first: one row per schema of the warehouse, saying who it is for and where to
-- start. DuckDB keeps no comment on a schema, so this view says it; every table, view, column
-- and macro carries its own comment (duckdb_tables(), duckdb_views(), duckdb_columns(),
-- duckdb_functions()).
-- materialized: view
select
    *,
from (
    values
        (1, 'marts', 'query', 'The metrics: the headline for any window (a table macro), jurisdictions, counties, agencies, coverage, reconciliation with published figures, and every counted detainer row by row.', 'select * from marts.headline(date ''2014-01-01'', date ''2017-05-31'')'),
        (2, 'reference', 'query', 'The data the metrics rest on, loaded from schemas/reference/: published figures, the catalog of releases, states, counties and the county gazetteer, reviewed agencies and placements, vocabularies.', 'select * from reference.published_figures'),
        (3, 'audit', 'query', 'What each run did: the manifest''s sources, each load of a file with its counts, each rejected row with its check and the row as published, the runs, the build''s own facts.', 'select * from audit.rejects'),
        (4, 'raw', 'build', 'The rows as loaded, one per source row, stored by the ids of their values: what staging reads. Read detainers row by row in marts.detainers instead.', 'select * from marts.detainers'),
        (5, 'staging', 'build', 'Views over raw and audit, the only layer that reads them: the rows of each source inside its trusted window, likely duplicates flagged.', null),
        (6, 'intermediate', 'build', 'What the build computes on the way to the marts: counts by integer keys, places, folded jurisdictions, their counties and agencies.', null),
        (7, 'macros', 'build', 'Scalar and table macros the models share (coverage ratios, state codes, names as placement compares them); the marts'' table macros are in marts.', null)
) as readme(position, schema_name, audience, holds, start_with)
order by position
