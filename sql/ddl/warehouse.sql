-- Tables the loader writes. Every model schema (staging, intermediate, marts, macros, main) is
-- rebuilt from these by detainers/warehouse/models.py, which creates those schemas; staging is
-- the one layer that reads them. Each table's description and columns: sql/audit/<table>.toml
-- and sql/raw/<table>.toml, written into the warehouse as its comments.
create schema if not exists raw;
create schema if not exists audit;

-- raw.detainer_rows, raw.detainer_values and the view raw.detainers that joins them are
-- made from the canonical row's definition (schemas/canonical.py) by detainers/warehouse/ddl.py,
-- so their columns cannot drift from what validation checks.

-- Rows that failed a check: the check, the column, and the row exactly as published.
create table if not exists audit.rejects (
    load_id varchar not null,
    source varchar not null,
    file_sha256 varchar not null,
    sheet varchar not null,
    source_row bigint not null,
    "column" varchar not null,
    "check" varchar not null,
    original json not null
);

-- One row per attempt to load a source file.
create table if not exists audit.loads (
    load_id varchar primary key,
    run_id varchar not null,
    source varchar not null,
    release varchar,
    url varchar not null,
    file_sha256 varchar not null,
    file_bytes bigint not null,
    file_format varchar,
    sheets varchar[],
    extra_columns varchar[],
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    status varchar not null,  -- loaded, failed_reject_threshold
    message varchar,
    started_at timestamptz not null,
    finished_at timestamptz not null,
    seconds_read_validate double not null,
    seconds_write double not null
);

-- The manifest as of the last run, and what each source's last fetch saw.
create table if not exists audit.sources (
    source varchar primary key,
    url varchar not null,
    layout varchar not null,
    release varchar,
    window_start date,
    window_end date,
    current_load_id varchar,
    file_sha256 varchar,
    etag varchar,
    last_modified varchar,
    checked_at timestamptz
);

-- Added after the first release: warehouses built before it gain the column here.
alter table audit.sources add column if not exists duplicate_rule varchar default 'none';
alter table audit.sources add column if not exists states varchar[];
alter table audit.sources add column if not exists extracted_on date;
alter table audit.sources add column if not exists has_lift_date boolean default false;
alter table audit.sources add column if not exists load_settings varchar;
alter table audit.loads add column if not exists rules_fingerprint varchar;
alter table audit.loads add column if not exists load_key integer;
alter table audit.loads add column if not exists delimiter varchar;

create table if not exists audit.runs (
    run_id varchar primary key,
    command varchar not null,
    started_at timestamptz not null,
    finished_at timestamptz,
    status varchar not null,
    sources_fetched integer,
    sources_skipped integer,
    sources_loaded integer,
    sources_failed integer,
    rows_loaded bigint,
    rows_rejected bigint
);

-- Facts about the build itself (the fingerprint of the code and rules it was built with).
create table if not exists audit.build_info (
    key varchar primary key,
    value varchar not null
);
