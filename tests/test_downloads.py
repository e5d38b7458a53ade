"""Large downloads as users meet them (issue 26): a cut download resumed where it stopped (HTTP
Range, If-Range) rather than started again, the sha256 of a named release checked as it lands,
progress per file that counts each byte once, and retries by urllib3's `Retry` that wait what a
server's Retry-After asks (issue 28 item 6). Servers on 127.0.0.1 only."""

from __future__ import annotations

import email.utils
import hashlib
import re
import socket
import threading
import time

import pytest

import detainers.extract.fetch as fetch_module
from detainers import progress
from detainers.errors import FetchError
from detainers.extract.fetch import Expected, RetryPolicy, fetch
from tests.badfiles import HEADER, good_rows
from tests.faultserver import FaultServer

BODY = "".join(",".join(r) + "\n" for r in [HEADER, *good_rows(4000)]).encode()
ETAG = '"' + hashlib.sha256(BODY).hexdigest()[:16] + '"'
POLICY = RetryPolicy(attempts=3, backoff_seconds=0.01, connect_timeout=2, read_timeout=2)


class RangeServer(FaultServer):
    """Serves one file as a release host does (ETag, Range, If-Range), cutting the connection
    after `cut_at` bytes of the answers listed in `cuts` (by request number, from 1)."""

    def __init__(self, body: bytes, cuts: dict[int, int] | None = None, etag: str | None = ETAG, ranges: bool = True):
        self.body, self.cuts, self.etag, self.ranges = body, cuts or {}, etag, ranges
        self.sent: dict[int, int] = {}  # body bytes sent, by request number
        self.headers: dict[int, dict[str, str]] = {}  # each request's headers, by its number
        super().__init__("ok")

    def url(self, path: str = "/detainersfy14_raw.csv") -> str:
        return super().url(path)

    @property
    def seen(self) -> list[dict[str, str]]:
        return [self.headers[n] for n in sorted(self.headers)]

    @property
    def sent_bytes(self) -> list[int]:
        return [self.sent[n] for n in sorted(self.sent)]

    def _handle(self, conn, number: int, script) -> None:
        with conn:
            head = b""
            while b"\r\n\r\n" not in head and (chunk := conn.recv(65536)):
                head += chunk
            lines = head.decode("latin-1").split("\r\n")
            self.headers[number] = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
            self._answer(conn, number, self.headers[number])

    def _answer(self, conn, number: int, headers: dict[str, str]) -> None:
        start, status = 0, "200 OK"
        asked = re.match(r"bytes=(\d+)-$", headers.get("range", ""))
        same = headers.get("if-range") in (None, self.etag)
        if asked and self.ranges and same:
            start, status = int(asked.group(1)), "206 Partial Content"
        part = self.body[start:]
        head = [f"HTTP/1.1 {status}", f"Content-Length: {len(part)}", "Connection: close", "Accept-Ranges: bytes"]
        if self.etag:
            head.append(f"ETag: {self.etag}")
        if start:
            head.append(f"Content-Range: bytes {start}-{len(self.body) - 1}/{len(self.body)}")
        cut = self.cuts.get(number)
        sent = part if cut is None else part[:cut]
        self.sent[number] = len(sent)  # before the client can have read it all
        conn.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + sent)
        if cut is not None:  # the connection drops mid-body
            conn.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def servers():
    started = []

    def start(*args, **kwargs):
        started.append(RangeServer(*args, **kwargs))
        return started[-1]

    yield start
    for server in started:
        server.close()


def test_a_download_cut_half_way_resumes_where_it_stopped(servers, tmp_path):
    half = len(BODY) // 2
    server = servers(BODY, cuts={1: half})
    landed = fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY)
    assert landed.path.read_bytes() == BODY and landed.sha256 == hashlib.sha256(BODY).hexdigest()
    assert [r.get("range") for r in server.seen] == [None, f"bytes={half}-"]
    assert server.seen[1]["if-range"] == ETAG, "the rest is asked of the same version only"
    assert sum(server.sent_bytes) == len(BODY), "no byte was downloaded twice"
    assert [p.name for p in tmp_path.iterdir()] == [landed.path.name]


def test_a_download_cut_twice_resumes_twice(servers, tmp_path):
    third = len(BODY) // 3
    server = servers(BODY, cuts={1: third, 2: third})
    landed = fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY)
    assert landed.path.read_bytes() == BODY
    assert [r.get("range") for r in server.seen] == [None, f"bytes={third}-", f"bytes={2 * third}-"]
    assert sum(server.sent_bytes) == len(BODY)


def test_a_file_changed_since_the_cut_is_downloaded_whole_again(servers, tmp_path):
    """If-Range: the server's file now has another ETag, so it answers 200 with the whole new
    file, which replaces the bytes of the old one."""
    server = servers(BODY, cuts={1: 1000})
    new, answer = BODY.replace(b"HARRIS", b"DALLAS"), server._answer

    def then_changed(conn, number, headers):
        answer(conn, number, headers)
        if number == 1:
            server.body, server.etag = new, '"changed"'

    server._answer = then_changed
    landed = fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY)
    assert new != BODY and landed.path.read_bytes() == new
    assert server.seen[1]["if-range"] == ETAG and server.sent_bytes[1] == len(new)


def test_a_server_that_ignores_range_gives_the_whole_file_again(servers, tmp_path):
    server = servers(BODY, cuts={1: len(BODY) // 2}, ranges=False)
    landed = fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY)
    assert landed.path.read_bytes() == BODY
    assert server.sent_bytes == [len(BODY) // 2, len(BODY)]


def test_without_an_etag_or_a_known_sha256_a_cut_download_starts_again(servers, tmp_path):
    """Nothing would tell the rest of this version from another's: no Range is asked."""
    server = servers(BODY, cuts={1: 1000}, etag=None)
    landed = fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY)
    assert landed.path.read_bytes() == BODY and [r.get("range") for r in server.seen] == [None, None]


def test_with_the_releases_sha256_a_download_without_an_etag_resumes(servers, tmp_path):
    server = servers(BODY, cuts={1: 1000}, etag=None)
    expected = Expected("npr-detainers-fy14-csv", hashlib.sha256(BODY).hexdigest(), len(BODY))
    landed = fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY, expected=expected)
    assert landed.path.read_bytes() == BODY and server.seen[1].get("range") == "bytes=1000-"


def test_other_bytes_than_the_releases_fail_as_they_land_and_nothing_lands(servers, tmp_path):
    server = servers(BODY)
    expected = Expected("npr-detainers-fy14-csv", "0" * 64, len(BODY))
    with pytest.raises(FetchError) as caught:
        fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY, expected=expected)
    assert str(caught.value) == (
        f"source fy14: {server.url()} is not release "
        f"npr-detainers-fy14-csv: its sha256 is {hashlib.sha256(BODY).hexdigest()}, the catalog's is {'0' * 64}; nothing of "
        "it was loaded. Fetch the release again (from its publisher if this came from a mirror), or set `layout` in the "
        "entry to load these bytes as they are")
    assert list(tmp_path.iterdir()) == []


def test_the_progress_of_a_resumed_download_counts_each_byte_once(servers, tmp_path):
    class Counting:
        def __init__(self):
            self.total, self.declared = 0, set()

        def bytes(self, source, n, total):
            self.total += n
            self.declared.add(total)

        def rows(self, source, n):
            pass

        def close(self, stopped=False):
            pass

    seen = Counting()
    server = servers(BODY, cuts={1: len(BODY) // 2}, ranges=False)  # the whole file twice: the first half is taken back
    with progress.reporting(seen):
        fetch("fy14", server.url(), tmp_path, ("csv",), policy=POLICY)
    assert seen.total == len(BODY) and seen.declared == {len(BODY)}


# ---- retries by urllib3's Retry: Retry-After honoured ----------------------------------


def test_a_503_with_retry_after_is_retried_after_the_wait_it_asks(httpserver, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr(fetch_module, "pause", waits.append)
    httpserver.expect_ordered_request("/f.csv").respond_with_data("busy", status=503, headers={"Retry-After": "7"})
    when = email.utils.formatdate(time.time() + 120, usegmt=True)
    httpserver.expect_ordered_request("/f.csv").respond_with_data("busy", status=429, headers={"Retry-After": when})
    httpserver.expect_ordered_request("/f.csv").respond_with_data(BODY)
    landed = fetch("s", httpserver.url_for("/f.csv"), tmp_path, ("csv",), policy=POLICY)
    assert landed.path.read_bytes() == BODY and len(httpserver.log) == 3
    assert waits[0] == 7 and 115 <= waits[1] <= 120, "seconds, then an HTTP date"


def test_a_503_without_retry_after_backs_off(httpserver, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr(fetch_module, "pause", waits.append)
    for _ in range(2):
        httpserver.expect_ordered_request("/f.csv").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/f.csv").respond_with_data(BODY)
    policy = RetryPolicy(attempts=3, backoff_seconds=0.5, read_timeout=2)
    assert fetch("s", httpserver.url_for("/f.csv"), tmp_path, ("csv",), policy=policy).path.read_bytes() == BODY
    assert waits == [1.0], "urllib3's backoff: none before the first retry, then 0.5 x 2"


def test_a_retry_after_past_the_deadline_fails_at_once(httpserver, tmp_path, monkeypatch):
    waits = []
    monkeypatch.setattr(fetch_module, "pause", waits.append)
    httpserver.expect_request("/f.csv").respond_with_data("busy", status=503, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError, match=r"^source s: http://[\w.]+:\d+/f\.csv did not finish within 60 s \(the server asked "
                                         r"to wait 3600 s more\)$"):
        fetch("s", httpserver.url_for("/f.csv"), tmp_path, ("csv",), policy=RetryPolicy(max_seconds=60))
    assert waits == [] and len(httpserver.log) == 1


def test_the_wait_between_attempts_ends_when_a_stop_is_asked(monkeypatch):
    from detainers import stop

    monkeypatch.setattr(stop, "_requested", threading.Event())
    stop._requested.set()
    with pytest.raises(stop.Interrupted):
        fetch_module.pause(30)
