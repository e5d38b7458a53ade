"""Security at the edges: what is fetched, where it may be written, how big it may be, how
user values reach SQL, and that secrets in URLs reach neither logs nor the warehouse."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner
from werkzeug import Response

from detainers.cli import app
from detainers.errors import FetchError
from detainers.extract.fetch import RetryPolicy, fetch
from detainers.warehouse.database import connect
from detainers.pipeline import load_landed
from detainers.extract.manifest import Source, load_manifest
from tests.badfiles import HEADER, good_rows, write_csv

CSV = "".join(",".join(r) + "\n" for r in [HEADER, *good_rows(5)]).encode()
FAST = RetryPolicy(attempts=2, backoff_seconds=0.01, read_timeout=2)


def every_file(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.mark.parametrize("path", ["/x/..%2F..%2Fescape.csv", "/a/b/../../../escape.csv", "/f.csv"])
def test_names_from_a_server_or_url_never_choose_where_a_file_lands(httpserver, tmp_path, path):
    httpserver.expect_request(re.compile(r".*")).respond_with_response(
        Response(CSV, headers={"Content-Disposition": 'attachment; filename="../../../escape.csv"'}))
    landing = tmp_path / "wh" / "landing"
    landed = fetch("s", f"http://localhost:{httpserver.port}{path}", landing, ("csv",), policy=FAST)
    assert landed.path.parent == landing and landed.path.name == f"{landed.sha256}.csv"
    assert every_file(tmp_path) == {"wh", "wh/landing", f"wh/landing/{landed.sha256}.csv"}


def test_only_http_https_and_local_files_are_fetched(tmp_path):
    for url in ("ftp://host/f.csv", "file://host/etc/passwd", "s3://bucket/f.csv", "gopher://host/f"):
        (tmp_path / "sources.toml").write_text(f'[[source]]\nname = "a"\nurl = "{url}"\nlayout = "lesa_stu"\n')
        if url.startswith("file://host"):
            continue  # file:// is a local path; its host part is ignored, it reads this machine only
        with pytest.raises(Exception, match="only http, https and local paths"):
            load_manifest(tmp_path / "sources.toml")


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_download_over_the_size_cap_is_refused(httpserver, tmp_path, chunked):
    body = (lambda: iter([CSV[:100], CSV[100:]])) if chunked else (lambda: CSV)
    httpserver.expect_request("/f.csv").respond_with_handler(lambda request: Response(body()))
    with pytest.raises(FetchError, match=r"source s: http://[\w.]+:\d+/f\.csv .*over the cap of 100"):
        fetch("s", httpserver.url_for("/f.csv"), tmp_path, ("csv",), policy=RetryPolicy(max_bytes=100))
    assert list(tmp_path.iterdir()) == [], "no partial file is left"


def test_the_size_cap_is_set_per_source_in_the_manifest(tmp_path):
    from detainers.pipeline import fetch_source

    data = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(5)])
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "small"\nurl = "{data}"\nlayout = "lesa_stu"\nmax_bytes = 100\n'
        f'[[source]]\nname = "big"\nurl = "{data}"\nlayout = "lesa_stu"\n')
    small, big = load_manifest(tmp_path / "sources.toml").sources
    with pytest.raises(FetchError, match=r"source small: .*f\.csv is \d+ bytes, over the cap of 100"):
        fetch_source(small, tmp_path / "landing", None)
    assert fetch_source(big, tmp_path / "landing", None).size == data.stat().st_size


def test_the_size_cap_counts_the_bytes_read_not_the_size_a_file_system_claims(tmp_path, monkeypatch):
    """procfs (and some network file systems) report 0 bytes for a file that has content."""
    data = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(5)])

    def claims_empty(real):
        def stat_(*args, **kwargs):
            st = real(*args, **kwargs)
            return os.stat_result((*st[:6], 0, *st[7:10]))
        return stat_

    with monkeypatch.context() as patch:
        patch.setattr(os, "stat", claims_empty(os.stat))
        patch.setattr(os, "fstat", claims_empty(os.fstat))
        assert data.stat().st_size == 0
        with pytest.raises(FetchError, match=r"^source s: .*f\.csv is over the cap of 100 bytes$"):
            fetch("s", str(data), tmp_path / "landing", ("csv",), policy=RetryPolicy(max_bytes=100))
    assert list((tmp_path / "landing").iterdir()) == [], "no partial file is left"


def test_landing_files_are_readable_only_by_their_owner(httpserver, tmp_path, monkeypatch):
    httpserver.expect_request("/f.csv").respond_with_data(CSV)
    data = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(3)])
    landing = tmp_path / "wh" / "landing"
    landing.mkdir(parents=True, mode=0o755)  # made by an older version, or by hand
    real_replace, partial_modes = os.replace, []

    def replace(src, dst, *args, **kwargs):
        partial_modes.append(stat.S_IMODE(os.stat(src).st_mode))
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    umask = os.umask(0o022)  # the usual umask, which alone would make files world-readable
    try:
        landed = [fetch("s", str(data), landing, ("csv",)), fetch("h", httpserver.url_for("/f.csv"), landing, ("csv",), policy=FAST)]
    finally:
        os.umask(umask)
    # A local file landed as a hard link (issue 27: no second copy) is the source file itself,
    # readable as the source is and by no one new: the landing folder is its owner's alone.
    linked = landed[0].path.stat().st_ino == data.stat().st_ino
    assert partial_modes == [stat.S_IMODE(data.stat().st_mode) if linked else 0o600, 0o600], "the .partial-* files"
    assert stat.S_IMODE(landing.stat().st_mode) == 0o700
    assert [stat.S_IMODE(item.path.stat().st_mode) for item in landed[1:]] == [0o600]
    assert linked or stat.S_IMODE(landed[0].path.stat().st_mode) == 0o600


def test_user_values_reach_sql_as_bound_parameters(tmp_path):
    """A release or a cell that looks like SQL is stored as text, and runs nothing."""
    hostile = "x'); drop table raw.detainers; --"
    data = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(2), [hostile.replace(",", ";")] * 6])
    source = Source(name="s", url=str(data), layout="lesa_stu", release=hostile, reject_stop_share=0.5, reject_warn_share=0.5)
    con = connect(tmp_path / "w.duckdb")
    try:
        load_landed(con, source, fetch("s", str(data), tmp_path / "landing", ("csv",)), "run")
        assert con.execute("select distinct release from raw.detainers").fetchall() == [(hostile,)]
        assert con.execute("select count(*) from audit.rejects").fetchall() == [(1,)]
    finally:
        con.close()


def all_text(warehouse: Path) -> str:
    """Every value of every table of the warehouse, as text."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'").fetchall()
        return "\n".join(str(con.execute(f'select * from "{s}"."{t}"').fetchall()) for s, t in tables)


def test_secrets_in_urls_never_reach_logs_output_or_the_warehouse(prefect_server, httpserver, tmp_path, caplog):
    httpserver.expect_request("/f.csv").respond_with_data(CSV)
    url = f"http://reader:hunter2@localhost:{httpserver.port}/f.csv?token=SECRET123&sig=abc"
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "s"\nurl = "{url}"\nlayout = "lesa_stu"\n')
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    said = run_then_find_it_gone(manifest, warehouse, httpserver, caplog)
    request = httpserver.log[0][0]
    assert request.args["token"] == "SECRET123" and request.authorization.password == "hunter2", "the secrets were used"
    seen = "\n".join([*said, all_text(warehouse), *every_file(tmp_path)])
    assert "localhost" in seen and "/f.csv" in seen
    assert b"HTTP 410 GONE fetching http://localhost" in prefect_database(), "the error did reach Prefect, redacted"
    for secret in ("SECRET123", "hunter2", "sig=abc"):
        assert secret not in seen
        assert secret.encode() not in prefect_database(), "nor Prefect's own records (logs, states, parameters)"


def run_then_find_it_gone(manifest: Path, warehouse: Path, httpserver, caplog) -> list[str]:
    """`detainers run`, then again with every URL answering 410: what both printed, and our
    log lines (not the test server's access log)."""
    caplog.set_level(logging.ERROR, logger="werkzeug")
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(app, ["run", "--manifest", str(manifest), "--warehouse", str(warehouse)])
        assert result.exit_code == 0, result.output
        httpserver.clear()
        httpserver.expect_request(re.compile(".*")).respond_with_data("gone", status=410)
        failed = CliRunner().invoke(app, ["run", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert failed.exit_code == 1 and "HTTP 410" in failed.output
    return [result.output, failed.output, *(f"{r.name}: {r.getMessage()}" for r in caplog.records if r.name != "werkzeug")]


def prefect_database() -> bytes:
    from prefect.settings import get_current_settings

    url = get_current_settings().server.database.connection_url.get_secret_value()
    path = Path(url.split(":///", 1)[1])
    assert path.exists() and path.stat().st_size > 0
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_secrets_in_url_paths_never_reach_logs_output_or_the_warehouse(prefect_server, httpserver, tmp_path, caplog):
    """A token as a folder of the path, and a session id as a path parameter, are cut like a
    query string, whatever they look like (no guess at what is secret): the host and the
    file's name stay, so a reader still knows which file it is."""
    token, session = "abc", "ABC123"  # a token need not look like one
    bodies = {n: "".join(",".join(r) + "\n" for r in [HEADER, *good_rows(3, start=dt.date(2014 + n, 1, 1))]) for n in (0, 1)}
    httpserver.expect_request(re.compile(rf"/download/{token}/extract\.csv")).respond_with_data(bodies[0])
    httpserver.expect_request(re.compile(r"/data\.csv;.*")).respond_with_data(bodies[1])
    base = f"http://127.0.0.1:{httpserver.port}"
    manifest = tmp_path / "sources.toml"
    manifest.write_text("".join(
        f'[[source]]\nname = "s{n}"\nurl = "{url}"\nlayout = "lesa_stu"\nwindow_start = {2014 + n}-01-01\n'
        f"window_end = {2014 + n}-12-31\n" for n, url in enumerate([f"{base}/download/{token}/extract.csv",
                                                                    f"{base}/data.csv;jsessionid={session}"])))
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    seen = "\n".join([*run_then_find_it_gone(manifest, warehouse, httpserver, caplog), all_text(warehouse), *every_file(tmp_path)])
    asked = " ".join(request.full_path for request, _ in httpserver.log)
    assert f"/download/{token}/" in asked and session in asked, "the secrets were used"
    assert f"{base}/…/extract.csv" in seen and f"{base}/data.csv" in seen, "host and file name are kept"
    assert b"HTTP 410 GONE fetching http://127.0.0.1" in prefect_database()
    for secret in (f"/{token}/", "/download/", session):
        assert secret not in seen
        assert secret.encode() not in warehouse.read_bytes(), "nor anywhere in the warehouse file"
        assert secret.encode() not in prefect_database()


def test_a_url_marked_public_is_kept_whole(httpserver, tmp_path):
    """`url_public = true`: the manifest says the URL holds no secret, so it is stored and shown whole."""
    httpserver.expect_request("/download/abc/extract.csv").respond_with_data(CSV)
    url = f"http://127.0.0.1:{httpserver.port}/download/abc/extract.csv"
    manifest = tmp_path / "sources.toml"
    manifest.write_text(f'[[source]]\nname = "s"\nurl = "{url}"\nurl_public = true\nlayout = "lesa_stu"\n')
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    done = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(warehouse)])
    assert done.exit_code == 0, done.output
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select url from audit.sources union all select url from audit.loads").fetchall() == [(url,), (url,)]


def system_file_lines() -> list[str]:
    """The lines of the system files the next test points sources at, as they would be quoted."""
    passwd = [line for line in Path("/etc/passwd").read_text().splitlines() if line.strip()]
    environ = [entry for entry in Path("/proc/self/environ").read_bytes().decode(errors="replace").split("\0") if entry]
    return passwd + environ


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux's procfs")
def test_system_files_never_leak_into_errors_logs_the_warehouse_or_prefect(prefect_server, tmp_path, caplog):
    """Sources pointed (by mistake or on purpose) at system files fail with messages that name
    the path, never quote the content; the good source still loads."""
    from detainers.flows.pipeline import run_flow

    (tmp_path / "innocent.csv").symlink_to("/etc/passwd")
    (tmp_path / "env.csv").symlink_to("/proc/self/environ")
    urls = {"good": str(write_csv(tmp_path / "good.csv", [HEADER, *good_rows(3)])), "passwd-url": "file:///etc/passwd",
            "passwd-link": str(tmp_path / "innocent.csv"), "environ": "/proc/self/environ", "environ-link": str(tmp_path / "env.csv")}
    manifest = tmp_path / "sources.toml"
    manifest.write_text("".join(
        f'[[source]]\nname = "{name}"\nurl = "{url}"\nlayout = "lesa_stu"\nwindow_start = {2014 + i}-01-01\n'
        f"window_end = {2014 + i}-12-31\n" for i, (name, url) in enumerate(urls.items())))
    warehouse = tmp_path / "wh" / "detainers.duckdb"
    with caplog.at_level(logging.DEBUG):
        summary = run_flow(manifest=manifest, warehouse=warehouse)
    errors = {o.source: o.error for o in summary.failed}
    assert summary.published and sorted(errors) == ["environ", "environ-link", "passwd-link", "passwd-url"]
    assert re.fullmatch(r"source environ: /proc/self/environ is not a regular data file \(it is under /proc\); .*", errors["environ"])
    assert errors["passwd-url"].startswith("source passwd-url: passwd: missing column(s)") and "found:    none of" in errors["passwd-url"]
    logged = [r.getMessage() for r in caplog.records]
    text, database = "\n".join([*errors.values(), *logged, all_text(warehouse)]), prefect_database()
    for line in system_file_lines():
        assert line not in text
        assert line.encode() not in database
