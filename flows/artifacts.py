"""Prefect artifacts every run publishes, whether it published a warehouse or found nothing
changed: a markdown summary of its sources (fetched, skipped, loaded, rows rejected) and
what it repaired, and a table of the headline metrics of the published warehouse. Shown in
the Prefect UI on the flow run and, by key, on the Artifacts page."""

from __future__ import annotations

from detainers.summary import RunSummary

SUMMARY_KEY = "detainers-run-summary"
HEADLINE_KEY = "detainers-headline"


def summary_markdown(summary: RunSummary) -> str:
    n = summary.counts()
    lines = [
        f"# detainers run `{summary.run_id}`",
        "",
        f"{len(summary.sources)} source(s): {n['sources_fetched']} fetched, {n['sources_skipped']} skipped (unchanged), "
        f"{n['sources_loaded']} loaded, {n['sources_failed']} failed; "
        f"{n['rows_loaded']:,} rows loaded, {n['rows_rejected']:,} rejected.",
        "",
        f"Warehouse `{summary.warehouse}`: " + ("published." if summary.published else "left as it was (nothing changed)."),
        *[f"- removed from the manifest: {r}" for r in summary.removed],
        *[f"- {note}" for note in summary.notes],
        "",
        "| source | fetch | load | rows read | loaded | rejected | error |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for o in summary.sources:
        error = (o.error or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| {o.source} | {o.fetch or '-'} | {o.load or '-'} | {o.rows_read:,} | {o.rows_loaded:,} | {o.rows_rejected:,} | {error} |")
    warnings = [w for o in summary.sources for w in o.warnings]
    if warnings:
        lines += ["", "Warnings:", ""] + [f"- {w}" for w in warnings]
    return "\n".join(lines) + "\n"


def headline_table(summary: RunSummary) -> list[dict]:
    h = summary.headline or {}
    return [{"metric": key, "value": value} for key, value in h.items()]


def publish_artifacts(summary: RunSummary) -> None:
    """Create the run's artifacts; call inside the flow run. Never fails the run."""
    from prefect import get_run_logger
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    try:
        create_markdown_artifact(summary_markdown(summary), key=SUMMARY_KEY, description="Sources fetched, skipped, loaded; rows rejected")
        if summary.headline:
            state = "published by this run" if summary.published else "as published before (nothing changed)"
            create_table_artifact(headline_table(summary), key=HEADLINE_KEY,
                                  description=f"Headline metrics for the inspector general's window, {state}")
    except Exception as exc:  # artifacts are a courtesy: a failure to record them is logged, not raised
        get_run_logger().warning(f"could not publish Prefect artifacts: {exc}")
