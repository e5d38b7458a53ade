"""Faults at the source, against servers on 127.0.0.1: transient ones are retried with
backoff, every one ends in a clear error naming the source and the (redacted) URL, and
nothing of a failed fetch lands. Then the flow: a failed source is named, the others
load, and the failed one keeps its previous rows."""

from __future__ import annotations

import logging

import duckdb
import pytest
from typer.testing import CliRunner
from werkzeug import Response

from detainers.cli import app
from detainers.errors import FetchError
from detainers.extract.fetch import RetryPolicy, fetch
from tests.badfiles import HEADER, good_rows, write_csv
from tests.faultserver import FaultServer

FAST = RetryPolicy(attempts=3, backoff_seconds=0.01, connect_timeout=1, read_timeout=0.3)
CSV = "".join(",".join(r) + "\n" for r in [HEADER, *good_rows(5)]).encode()


def landed_files(landing):
    return [p.name for p in landing.iterdir()] if landing.exists() else []


@pytest.fixture
def faults():
    servers = []

    def start(*scripts):
        servers.append(FaultServer(*scripts))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.mark.parametrize("script, last", [
    ("reset", "ConnectionError"),
    ("silent", "ReadTimeout"),
    (("short", CSV), "cut short|ChunkedEncodingError|ConnectionError"),
    (("stall", CSV), "while reading the body"),
])
def test_a_transient_fault_is_retried_then_named(faults, tmp_path, script, last):
    server = faults(script)
    url = server.url("/f.csv?token=SECRET")
    with pytest.raises(FetchError, match=rf"source s: gave up on http://[\w.]+:\d+/f\.csv after 3 attempts \(last: .*({last})") as caught:
        fetch("s", url, tmp_path, ("csv",), policy=FAST)
    assert "SECRET" not in str(caught.value)
    assert len(server.requests) == 3
    assert landed_files(tmp_path) == []


@pytest.mark.parametrize("script", ["reset", "silent", ("short", CSV), ("stall", CSV)], ids=["reset", "timeout", "short", "stall"])
def test_a_transient_fault_then_success_lands_the_whole_file(faults, tmp_path, script):
    server = faults(script, ("ok", CSV))
    policy = RetryPolicy(attempts=3, backoff_seconds=0.01, connect_timeout=5, read_timeout=1)  # < the silent 2 s
    landed = fetch("s", server.url("/f.csv"), tmp_path, ("csv",), policy=policy)
    assert landed.path.read_bytes() == CSV and len(server.requests) == 2
    assert landed_files(tmp_path) == [landed.path.name]


@pytest.mark.parametrize("status, retried", [(403, False), (404, False), (410, False), (500, True), (502, True), (503, True), (429, True)])
def test_http_errors(httpserver, tmp_path, status, retried):
    httpserver.expect_request("/f.csv").respond_with_data("no", status=status)
    pattern = rf"gave up on .*/f\.csv after 3 attempts \(last: HTTP {status}\)" if retried else rf"source s: HTTP {status} .*/f\.csv"
    with pytest.raises(FetchError, match=pattern):
        fetch("s", httpserver.url_for("/f.csv"), tmp_path, ("csv",), policy=FAST)
    assert len(httpserver.log) == (3 if retried else 1)
    assert landed_files(tmp_path) == []


def test_a_redirect_loop_is_named(httpserver, tmp_path):
    httpserver.expect_request("/loop").respond_with_response(Response(status=302, headers={"Location": "/loop"}))
    with pytest.raises(FetchError, match=r"source s: too many redirects fetching http://[\w.]+:\d+/…$"):
        fetch("s", httpserver.url_for("/loop"), tmp_path, ("csv",), policy=FAST)
    assert landed_files(tmp_path) == []


def test_a_redirect_to_another_scheme_is_refused(httpserver, tmp_path):
    httpserver.expect_request("/f.csv").respond_with_response(Response(status=302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match=r"source s: cannot fetch http://[\w.]+:\d+/f\.csv \(InvalidSchema\)"):
        fetch("s", httpserver.url_for("/f.csv"), tmp_path, ("csv",), policy=FAST)


@pytest.mark.parametrize("body, problem", [
    (b"", "is empty"),
    (b"<!DOCTYPE html><html><title>Sign in</title></html>", "is an HTML page"),
    (b"\n  <html><body>502 Bad Gateway</body></html>", "is an HTML page"),
    (b"\xef\xbb\xbf<!DOCTYPE html><html>Session expired</html>", "is an HTML page"),
])
def test_a_page_or_nothing_instead_of_the_file_is_named(httpserver, tmp_path, body, problem):
    httpserver.expect_request("/f.xlsx").respond_with_data(body, status=200, content_type="text/html")
    with pytest.raises(FetchError, match=rf"source s: http://[\w.]+:\d+/f\.xlsx {problem}"):
        fetch("s", httpserver.url_for("/f.xlsx"), tmp_path, ("xlsx",), policy=FAST)
    assert landed_files(tmp_path) == []


# ---- the flow: one source fails, the others load --------------------------------------

MANIFEST = """
[[source]]
name = "local-good"
url = "{local}"
layout = "lesa_stu"
window_start = 2014-01-01
window_end = 2014-12-31

[[source]]
name = "remote-flaky"
url = "{remote}"
layout = "lesa_stu"
window_start = 2015-01-01
window_end = 2015-12-31
"""


def count_by_source(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return dict(con.execute("select source, count(*) from raw.detainers group by all").fetchall())


def test_a_failing_source_is_named_and_the_others_load(prefect_server, httpserver, tmp_path, caplog):
    from detainers.flows.pipeline import run_flow

    caplog.set_level(logging.ERROR, logger="werkzeug")
    local = write_csv(tmp_path / "local.csv", [HEADER, *good_rows(3)])
    remote_csv = write_csv(tmp_path / "remote.csv", [HEADER, *good_rows(4, start=__import__("datetime").date(2015, 1, 1))])
    manifest = tmp_path / "sources.toml"
    manifest.write_text(MANIFEST.format(local=local, remote=httpserver.url_for("/r.csv") + "?token=SECRET"))
    warehouse = tmp_path / "wh" / "detainers.duckdb"

    httpserver.expect_ordered_request("/r.csv").respond_with_data(remote_csv.read_bytes())
    first = run_flow(manifest=manifest, warehouse=warehouse)
    assert not first.failed and count_by_source(warehouse) == {"local-good": 3, "remote-flaky": 4}

    # Next run: the local file grows, the remote one answers 403 (a login wall).
    write_csv(local, [HEADER, *good_rows(6)])
    httpserver.expect_ordered_request("/r.csv").respond_with_data("forbidden", status=403)
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(app, ["run", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert result.exit_code == 1
    assert f"1 source(s) failed: source remote-flaky: HTTP 403 FORBIDDEN fetching http://localhost:{httpserver.port}/r.csv" in result.output
    ours = [r.getMessage() for r in caplog.records if r.name != "werkzeug"]  # not the test server's access log
    assert "SECRET" not in "\n".join([result.output, *ours])
    assert count_by_source(warehouse) == {"local-good": 6, "remote-flaky": 4}, "the failed source keeps its rows"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select status, sources_failed from audit.runs order by started_at").fetchall() == [
            ("succeeded", 0), ("partial", 1)]


def test_an_unforeseen_fault_fails_only_its_source(prefect_server, tmp_path, monkeypatch):
    """A bug or an unforeseen exception while fetching or loading one source fails that source
    with a one-line message (no URL secrets); the other sources load and publish."""
    import detainers.pipeline
    import detainers.transform.batches as batches
    from detainers.flows.pipeline import run_flow

    files = {name: write_csv(tmp_path / f"{name}.csv", [HEADER, *good_rows(2, start=__import__("datetime").date(2014 + i, 1, 1))])
             for i, name in enumerate(("good", "fetch-bug", "load-bug"))}
    manifest = tmp_path / "sources.toml"
    manifest.write_text("".join(
        f'[[source]]\nname = "{name}"\nurl = "{path}"\nlayout = "lesa_stu"\n'
        f"window_start = {2014 + i}-01-01\nwindow_end = {2014 + i}-12-31\n" for i, (name, path) in enumerate(files.items())))
    real_fetch, real_check = detainers.pipeline.fetch, batches.check_published

    def fetch(name, *args, **kwargs):
        if name == "fetch-bug":
            raise OSError("disk trouble at https://u:SECRET@host/x?token=SECRET")
        return real_fetch(name, *args, **kwargs)

    def check_published(batch, layout, where):
        if "load-bug" in where:
            raise ZeroDivisionError("a bug in a reader")
        return real_check(batch, layout, where)

    monkeypatch.setattr(detainers.pipeline, "fetch", fetch)
    monkeypatch.setattr(batches, "check_published", check_published)
    summary = run_flow(manifest=manifest, warehouse=tmp_path / "wh" / "detainers.duckdb")
    assert summary.published
    assert {o.source: o.error for o in summary.failed} == {
        "fetch-bug": f"source fetch-bug: unexpected OSError fetching {files['fetch-bug']}",
        "load-bug": "source load-bug: unexpected ZeroDivisionError loading it: a bug in a reader",
    }
    assert count_by_source(tmp_path / "wh" / "detainers.duckdb") == {"good": 2}


# ---- a server too slow to wait for: a minimum rate and a deadline ----------------------

def test_a_trickle_under_the_minimum_rate_fails_and_nothing_lands(faults, tmp_path):
    """A byte every 0.05 s never trips the read timeout; the minimum rate stops it."""
    server = faults(("trickle", CSV))
    policy = RetryPolicy(attempts=3, backoff_seconds=0.01, read_timeout=5, min_bytes_per_second=1000, rate_window_seconds=0.5)
    url = server.url("/f.csv?token=SECRET")
    with pytest.raises(FetchError, match=r"^source s: http://[\w.]+:\d+/f\.csv too slow: \d+ bytes in [\d.]+ s, "
                                         r"under the minimum of 1,000 bytes/s$") as caught:
        fetch("s", url, tmp_path, ("csv",), policy=policy)
    assert "SECRET" not in str(caught.value)
    assert len(server.requests) == 1, "too slow is final, not retried"
    assert landed_files(tmp_path) == []


def test_a_download_past_the_manifests_deadline_fails_its_source(faults, tmp_path):
    """max_seconds and min_bytes_per_second are manifest settings, passed to the fetch."""
    from detainers.extract.manifest import load_manifest
    from detainers.pipeline import fetch_source

    server = faults(("trickle", CSV))
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "slow"\nurl = "{server.url("/f.csv")}"\nlayout = "lesa_stu"\n'
                        "max_seconds = 0.5\nmin_bytes_per_second = 0\n")
    (source,) = load_manifest(manifest).sources
    assert (source.max_seconds, source.min_bytes_per_second) == (0.5, 0)
    with pytest.raises(FetchError, match=r"^source slow: http://[\w.]+:\d+/f\.csv did not finish within 0\.5 s$"):
        fetch_source(source, tmp_path / "landing", None)
    assert landed_files(tmp_path / "landing") == []


def test_download_limits_have_defaults():
    from detainers.extract.manifest import Source

    source = Source(name="s", url="https://example.org/f.csv", layout="lesa_stu")
    assert source.max_seconds > 0 and source.min_bytes_per_second > 0
