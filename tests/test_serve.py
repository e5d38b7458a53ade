"""`detainers serve`: the deployment it registers (built here without serving, which would
block), and the Prefect artifacts each run publishes."""

import pytest
from typer.testing import CliRunner

from detainers.cli import app
from detainers.summary import RunSummary, SourceOutcome
from detainers.flows.artifacts import HEADLINE_KEY, SUMMARY_KEY, headline_table, summary_markdown
from tests.conftest import ROOT


def test_the_deployment_runs_the_flow_nightly_with_absolute_paths(tmp_path):
    from detainers.flows.serve import deployment

    d = deployment(ROOT / "sources.toml", tmp_path / "w.duckdb")
    assert d.name == "nightly" and d.flow_name == "detainers-run"
    assert d.parameters == {"manifest": str(ROOT / "sources.toml"), "warehouse": str(tmp_path / "w.duckdb"), "wait_seconds": 600.0}
    (schedule,) = d.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone, schedule.active) == ("0 3 * * *", "UTC", True)


def test_the_schedule_is_configurable(tmp_path):
    from detainers.flows.serve import deployment

    d = deployment(ROOT / "sources.toml", tmp_path / "w.duckdb", cron="30 1 * * 1-5", timezone="America/New_York", name="weekdays")
    (schedule,) = d.schedules
    assert d.name == "weekdays" and (schedule.schedule.cron, schedule.schedule.timezone) == ("30 1 * * 1-5", "America/New_York")


def test_serve_refuses_a_bad_cron_in_one_line(tmp_path):
    result = CliRunner().invoke(app, ["serve", "--cron", "every night", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2 and "cannot schedule 'every night'" in result.output and "Traceback" not in result.output


def test_summary_markdown_names_each_source_and_counts():
    summary = RunSummary("r1", "/w/detainers.duckdb", "2026-01-01T00:00:00+00:00", published=True)
    summary.sources = [
        SourceOutcome("a", fetch="fetched", load="loaded", rows_read=10, rows_loaded=9, rows_rejected=1, warnings=["1 row rejected"]),
        SourceOutcome("b", fetch="unchanged", load="skipped_unchanged"),
        SourceOutcome("c", fetch="failed", error="c: 404 | not found"),
    ]
    text = summary_markdown(summary)
    assert "3 source(s): 1 fetched, 1 skipped (unchanged), 1 loaded, 1 failed; 9 rows loaded, 1 rejected." in text
    assert "| c | failed | - | 0 | 0 | 0 | c: 404 \\| not found |" in text
    assert "- 1 row rejected" in text and "published." in text


def test_the_bundled_run_published_its_artifacts(bundled_run):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    _, summary = bundled_run
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[SUMMARY_KEY, HEADLINE_KEY])))
    (run_summary,) = [a for a in artifacts if a.key == SUMMARY_KEY and summary.run_id in str(a.data)]
    assert "79,053 rows loaded, 0 rejected" in str(run_summary.data)
    (headline,) = [a for a in artifacts if a.key == HEADLINE_KEY and a.flow_run_id == run_summary.flow_run_id]
    assert headline.type == "table"
    assert {"metric": "declined_detainers", "value": 5501} in headline_table(summary)
    assert '{"metric": "declined_detainers", "value": 5501}' in str(headline.data)


def flow_run_logs(flow_run_id) -> list[str]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.logging.handlers import APILogHandler

    APILogHandler().flush()  # logs are sent in batches: send what is waiting

    with get_client(sync_client=True) as client:
        return [log.message for log in client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))]


def artifacts_of(flow_run_id) -> dict:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])))
    return {a.key: str(a.data) for a in found}


def test_a_run_shows_its_stages_and_counts_in_prefects_logs(bundled_run):
    from prefect.client.orchestration import get_client

    from detainers.flows.artifacts import SUMMARY_KEY as key

    _, summary = bundled_run
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
    (bundled,) = [r for r in runs if summary.run_id in artifacts_of(r.id).get(key, "")]
    logs = flow_run_logs(bundled.id)
    assert "source lesa-stu-fy2015: fetched (2,461,672 bytes)" in logs
    assert "source lesa-stu-fy2015: loaded, 79053 rows read, 79053 loaded, 0 rejected" in logs
    assert any(line.startswith("models built and tested in") for line in logs) and f"published {summary.warehouse}" in logs


def test_a_run_that_finds_nothing_changed_publishes_both_artifacts_and_says_so(copied_warehouse):
    from detainers.flows.pipeline import run_flow

    state = run_flow(manifest=ROOT / "sources.toml", warehouse=copied_warehouse, return_state=True)
    assert state.is_completed() and not state.result().published
    artifacts = artifacts_of(state.state_details.flow_run_id)
    assert "left as it was (nothing changed)" in artifacts[SUMMARY_KEY]
    assert '"metric": "declined_detainers", "value": 5501' in artifacts[HEADLINE_KEY]


def test_a_served_run_prints_a_line_as_it_starts_and_ends(copied_warehouse, monkeypatch, capfd):
    from detainers.flows.pipeline import run_flow

    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__ID", "nightly")  # as `detainers serve` runs it
    run_flow(manifest=ROOT / "sources.toml", warehouse=copied_warehouse)
    lines = [line for line in capfd.readouterr().out.splitlines() if line.startswith("20")]
    assert [line.split(": ", 1)[1] for line in lines] == ["started", "nothing changed (0 rows loaded, 0 rejected)"]
    assert all("detainers-run/" in line for line in lines)


def test_a_failed_run_is_one_line_in_its_state_and_logs_not_a_traceback(copied_warehouse, monkeypatch, capfd):
    from detainers.warehouse import database as wh
    from detainers.flows.pipeline import run_flow

    monkeypatch.setenv("PREFECT__RUNTIME__DEPLOYMENT__ID", "nightly")
    with wh.write_lock(copied_warehouse, "another run"):
        state = run_flow(manifest=ROOT / "sources.toml", warehouse=copied_warehouse, return_state=True)
    assert state.is_failed() and state.message.startswith(f"{copied_warehouse} is being written by another run")
    logs = flow_run_logs(state.state_details.flow_run_id)
    assert state.message in logs and not [line for line in logs if "Traceback" in line]
    printed = capfd.readouterr()
    assert f"failed: {state.message}" in printed.out and "Traceback" not in printed.out + printed.err


@pytest.mark.parametrize("cron, says", [
    ("0 0 3 * * *", "it has 6 field(s), and Prefect reads only five"),  # Quartz: 03:00 daily; croniter: the 3rd, midnight
    ("0 0 3 ? * *", "it has 6 field(s), and Prefect reads only five"),
    ("0 3 * * * 2027", "it has 6 field(s), and Prefect reads only five"),
    ("0 0 3 * * ? 2027", "it has 7 field(s), and Prefect reads only five"),
    ("0 3 30 2 *", "no day ever matches it, so it would never run"),
    ("0 3 31 4,6,9,11 *", "no day ever matches it, so it would never run"),
])
def test_serve_refuses_a_cron_prefect_would_run_otherwise_than_written(tmp_path, cron, says):
    """Issue 25: accepted in silence, a six-field cron ran on other days than meant and one
    that matches no day never ran."""
    result = CliRunner().invoke(app, ["serve", "--cron", cron, "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 2 and result.output.startswith(f"error: cannot schedule {cron!r}: {says}"), result.output
    assert result.output.count("\n") == 1


@pytest.mark.parametrize("cron", ["0 3 29 2 *", "@daily", "*/15 2-4 * * 1-5", "0 3 31 * *"])
def test_a_cron_that_fires_now_and_then_is_accepted(cron):
    from detainers.arguments import check_schedule

    check_schedule(cron, "UTC")  # February 29th comes every four years; the 31st in seven months


def test_serve_without_a_server_runs_its_schedule_on_prefects_own_local_server(tmp_path):
    """Issue 25: with no Prefect server configured, `serve` said it was polling and never ran
    anything (Prefect's temporary server runs no scheduler). Now it starts Prefect's own local
    server for as long as it serves: the scheduler makes the deployment's runs, a run asked
    for runs and publishes, and Ctrl-C leaves no server behind."""
    import os
    import re
    import signal
    import subprocess
    import sys
    import time

    import httpx

    extract = tmp_path / "f.csv"
    extract.write_text("Prepare Date,Detainer Type,Detainer Detention Facility,State,City,Detainer Lift Reason\n"
                       "10/01/14,I247D,HARRIS COUNTY JAIL,TEXAS,HOUSTON,\n")
    (tmp_path / "sources.toml").write_text(f'[[source]]\nname = "s"\nurl = "{extract}"\nlayout = "lesa_stu"\n')
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {
        "PREFECT_HOME": str(tmp_path / "prefect-home"), "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    proc = subprocess.Popen([sys.executable, "-P", "-c", "from detainers.cli import main; main()", "serve", "--cron", "0 3 * * *",
                             "--manifest", str(tmp_path / "sources.toml"), "--warehouse", str(tmp_path / "w.duckdb")],
                            cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    lines = []
    try:
        lines += [proc.stdout.readline(), proc.stdout.readline()]  # a line before the server's start, one after
        found = re.search(r"its UI: (http://127\.0\.0\.1:\d+) ", lines[1])
        assert lines[0] == "no Prefect server is configured: starting Prefect's own, for as long as this serves (it " \
                           "takes some seconds)\n", lines
        assert lines[1].startswith("serving with Prefect's own server; its UI: ") and found, lines
        api = found.group(1) + "/api"

        def runs(client, **state) -> list[dict]:
            body = {"flow_runs": {"state": {"type": {"any_": list(state.values())}}}} if state else {}
            return client.post(f"{api}/flow_runs/filter", json=body).json()

        with httpx.Client(timeout=10) as client:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not runs(client, type="SCHEDULED"):
                time.sleep(0.5)
            scheduled = runs(client, type="SCHEDULED")
            assert scheduled, "the scheduler made the nightly runs"
            assert {r["expected_start_time"][11:16] for r in scheduled} == {"03:00"}
            (deployment,) = client.post(f"{api}/deployments/filter", json={}).json()
            client.post(f"{api}/deployments/{deployment['id']}/create_flow_run", json={}).raise_for_status()  # Quick run
            while time.monotonic() < deadline and not runs(client, type="COMPLETED"):
                time.sleep(0.5)
            assert runs(client, type="COMPLETED"), "the run asked for ran"
        while "published" not in lines[-1] and time.monotonic() < deadline:
            lines.append(proc.stdout.readline())
        assert re.search(rf"detainers-run/[\w-]+: published {tmp_path / 'w.duckdb'} \(1 rows loaded, 0 rejected\)", lines[-1]), lines
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.communicate(timeout=60)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)  # Prefect's server went with it


def test_serve_says_how_to_start_a_server_when_prefects_own_cannot_start(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{tmp_path / 'no-such-folder' / 'prefect.db'}"}
    done = subprocess.run([sys.executable, "-P", "-c", "from detainers.cli import main; main()", "serve", "--manifest",
                           str(ROOT / "sources.toml"), "--warehouse", str(tmp_path / "w.duckdb")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=200)
    assert done.returncode == 1
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("error: serve needs a Prefect server: none is configured, and Prefect's own stopped while starting")
    assert line.endswith("start one with `prefect server start`, then `export PREFECT_API_URL=http://127.0.0.1:4200/api` "
                         "and run `detainers serve` again")
