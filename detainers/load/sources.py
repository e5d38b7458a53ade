"""audit.sources: the manifest as of this build, read by the SQL models (each source's
trusted window and duplicate rule) and by the next run (what the last fetch saw)."""

from __future__ import annotations

import duckdb

from detainers.extract.manifest import Source
from detainers.load.raw import delete_rows


def record_sources(con: duckdb.DuckDBPyConnection, sources: tuple[Source, ...]) -> list[str]:
    """Write the manifest's view of each source (window, states, layout, duplicate rule, when
    it was drawn) for the SQL models. A source whose layout changed has no current load, so
    its file is read again. Sources no longer in the manifest are removed; return them."""
    for s in sources:
        con.execute(
            """
            insert into audit.sources (source, url, layout, release, window_start, window_end, duplicate_rule,
                states, extracted_on, has_lift_date, load_settings)
            values ($name, $url, $layout, $release, $start, $end, $rule, $states, $extracted_on, $has_lift_date, $settings)
            on conflict (source) do update set
                url = excluded.url, layout = excluded.layout, release = excluded.release,
                window_start = excluded.window_start, window_end = excluded.window_end,
                duplicate_rule = excluded.duplicate_rule, states = excluded.states,
                extracted_on = excluded.extracted_on, has_lift_date = excluded.has_lift_date,
                load_settings = excluded.load_settings,
                current_load_id = case when audit.sources.layout = excluded.layout then audit.sources.current_load_id end
            """,
            dict(name=s.name, url=s.shown_url, layout=s.layout_name, release=s.release, start=s.window_start,
                 end=s.window_end, rule=s.resolved_layout().duplicate_rule if s.layout else "none",
                 states=list(s.states) if s.states else None, extracted_on=s.extracted_on,
                 has_lift_date=bool(s.layout) and "lift_date" in s.resolved_layout().columns.values(),
                 settings=s.load_settings),
        )
    return _remove_others(con, [s.name for s in sources])


def _remove_others(con: duckdb.DuckDBPyConnection, names: list[str]) -> list[str]:
    """A source gone from the manifest takes its rows and dictionaries with it: 'name (N rows)'
    for each. Its loads and rejects stay in audit.* as the record of what was loaded."""
    removed = con.execute(
        """
        select sources.source, count(rows.load_key)
        from audit.sources as sources
        left join audit.loads as loads on loads.source = sources.source
        left join raw.detainer_rows as rows on rows.load_key = loads.load_key
        where not list_contains($names, sources.source)
        group by all order by 1
        """,
        dict(names=names),
    ).fetchall()
    gone = [name for name, _ in removed]
    delete_rows(con, "load_key in (select load_key from audit.loads where list_contains($gone, source))", dict(gone=gone))
    con.execute("delete from audit.sources where list_contains($gone, source)", dict(gone=gone))
    return [f"{name} ({rows:,} rows)" for name, rows in removed]
