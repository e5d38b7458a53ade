"""audit.sources: the manifest as of this build, read by the SQL models (each source's
trusted window and duplicate rule) and by the next run (what the last fetch saw)."""

from __future__ import annotations

import duckdb

from detainers.extract.fetch import redact_url
from detainers.extract.manifest import Source


def record_sources(con: duckdb.DuckDBPyConnection, sources: tuple[Source, ...]) -> None:
    """Write the manifest's view of each source (window, states, layout, duplicate rule, when
    it was drawn) for the SQL models. A source whose layout changed has no current load, so its file is read again."""
    for s in sources:
        con.execute(
            """
            insert into audit.sources (source, url, layout, release, window_start, window_end, duplicate_rule,
                states, extracted_on, has_lift_date)
            values ($name, $url, $layout, $release, $start, $end, $rule, $states, $extracted_on, $has_lift_date)
            on conflict (source) do update set
                url = excluded.url, layout = excluded.layout, release = excluded.release,
                window_start = excluded.window_start, window_end = excluded.window_end,
                duplicate_rule = excluded.duplicate_rule, states = excluded.states,
                extracted_on = excluded.extracted_on, has_lift_date = excluded.has_lift_date,
                current_load_id = case when audit.sources.layout = excluded.layout then audit.sources.current_load_id end
            """,
            dict(name=s.name, url=redact_url(s.url), layout=s.layout_name, release=s.release, start=s.window_start,
                 end=s.window_end, rule=s.resolved_layout().duplicate_rule, states=list(s.states) if s.states else None,
                 extracted_on=s.extracted_on, has_lift_date="lift_date" in s.resolved_layout().columns.values()),
        )
    names = [s.name for s in sources]
    con.execute("delete from audit.sources where not list_contains($names, source)", dict(names=names))
