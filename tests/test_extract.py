"""Extract against a local HTTP server (pytest-httpserver on 127.0.0.1): retries, final
errors, and responses that are not the expected file."""

import builtins
import hashlib
import io
import os

import pytest
from werkzeug import Response

from detainers.errors import FetchError
from detainers.extract.fetch import PreviousFetch, RetryPolicy, fetch, redact_url
from detainers.extract.manifest import Source
from detainers.pipeline import fetch_source
from tests.badfiles import HEADER, good_rows, write_csv
from tests.conftest import BUNDLED_EXTRACT

FAST = RetryPolicy(attempts=3, backoff_seconds=0.01, read_timeout=5)
XLSX = BUNDLED_EXTRACT.read_bytes()


def test_a_500_then_200_is_retried_and_lands_the_file(httpserver, tmp_path):
    httpserver.expect_ordered_request("/fy2015.xlsx").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/fy2015.xlsx").respond_with_data(XLSX, content_type="application/octet-stream")
    landed = fetch("fy2015", httpserver.url_for("/fy2015.xlsx"), tmp_path, ("xlsx",), policy=FAST)
    assert landed.status == "fetched"
    assert landed.path.read_bytes() == XLSX
    assert landed.path.name == f"{landed.sha256}.xlsx"
    assert len(httpserver.log) == 2


def test_a_404_fails_at_once_naming_source_and_url(httpserver, tmp_path):
    httpserver.expect_request("/missing.xlsx").respond_with_data("no", status=404)
    with pytest.raises(FetchError, match=r"source fy2015: HTTP 404 .*missing\.xlsx"):
        fetch("fy2015", httpserver.url_for("/missing.xlsx"), tmp_path, ("xlsx",), policy=FAST)
    assert len(httpserver.log) == 1


def test_an_html_page_instead_of_the_file_fails_clearly(httpserver, tmp_path):
    httpserver.expect_request("/fy2015.xlsx").respond_with_data(
        "<!DOCTYPE html><html><body>Please log in</body></html>", content_type="text/html")
    with pytest.raises(FetchError, match=r"source fy2015: .*fy2015\.xlsx is an HTML page"):
        fetch("fy2015", httpserver.url_for("/fy2015.xlsx"), tmp_path, ("xlsx",), policy=FAST)
    assert not [p for p in tmp_path.iterdir()], "nothing is left in the landing zone"


def test_an_empty_body_fails_clearly(httpserver, tmp_path):
    httpserver.expect_request("/fy2015.xlsx").respond_with_data(b"")
    with pytest.raises(FetchError, match="is empty"):
        fetch("fy2015", httpserver.url_for("/fy2015.xlsx"), tmp_path, ("xlsx",), policy=FAST)


def test_persistent_5xx_gives_up_after_the_attempts(httpserver, tmp_path):
    httpserver.expect_request("/fy2015.xlsx").respond_with_data("down", status=503)
    with pytest.raises(FetchError, match="gave up .* after 3 attempts .*HTTP 503"):
        fetch("fy2015", httpserver.url_for("/fy2015.xlsx"), tmp_path, ("xlsx",), policy=FAST)
    assert len(httpserver.log) == 3


def test_a_conditional_request_reuses_the_landed_file_on_304(httpserver, tmp_path):
    httpserver.expect_ordered_request("/f.xlsx").respond_with_response(Response(XLSX, headers={"ETag": '"v1"'}))
    first = fetch("s", httpserver.url_for("/f.xlsx"), tmp_path, ("xlsx",), policy=FAST)
    httpserver.expect_ordered_request("/f.xlsx", headers={"If-None-Match": '"v1"'}).respond_with_data("", status=304)
    second = fetch("s", httpserver.url_for("/f.xlsx"), tmp_path, ("xlsx",), PreviousFetch(first.sha256, first.etag), FAST)
    assert (second.status, second.path, second.sha256) == ("not_modified", first.path, first.sha256)


def test_a_local_file_lands_by_content_hash(tmp_path):
    landed = fetch("local", str(BUNDLED_EXTRACT), tmp_path / "landing", ("xlsx",))
    assert landed.sha256 == "d6352d3b597a8168c2dd68140e3b9266737756478394beb19695911658cdab06"
    again = fetch("local", str(BUNDLED_EXTRACT), tmp_path / "landing", ("xlsx",), PreviousFetch(landed.sha256))
    assert again.status == "unchanged" and again.path == landed.path


def test_a_missing_local_file_is_named(tmp_path):
    with pytest.raises(FetchError, match="no file at .*nowhere.xlsx"):
        fetch("local", str(tmp_path / "nowhere.xlsx"), tmp_path, ("xlsx",))


def test_secrets_in_urls_are_redacted():
    assert redact_url("https://user:pw@example.org:8443/a.xlsx?token=abc") == "https://example.org:8443/a.xlsx"


@pytest.mark.parametrize("url, shown", [
    ("https://example.org/t0kenAbCdEf0123456789xyz/data.csv", "https://example.org/…/data.csv"),
    ("https://example.org/data.csv;jsessionid=ABC123", "https://example.org/data.csv"),
    ("https://example.org/dl;sid=XYZ/data.csv", "https://example.org/…/data.csv"),
    ("https://example.org/download/t0kenAbCdEf0123456789xyz", "https://example.org/…"),
    ("https://example.org/download/short/extract.csv", "https://example.org/…/extract.csv"),  # no guess: every folder goes
    ("https://www.ice.gov/doclib/foia/detainers/2023-09/lesa-stu-fy2015-foia-15-87693.xlsx",
     "https://www.ice.gov/…/lesa-stu-fy2015-foia-15-87693.xlsx"),
    ("https://example.org/", "https://example.org/"),
    ("/srv/data/fy2015.xlsx", "/srv/data/fy2015.xlsx"),  # a local path: on this machine, shown as it is
])
def test_urls_are_shown_as_scheme_host_and_file_name(url, shown):
    assert redact_url(url) == shown


def test_a_public_url_is_shown_whole():
    url = "https://www.ice.gov/doclib/foia/detainers/2023-09/f.xlsx?download=1"
    assert redact_url(url, public=True) == url
    assert Source(name="s", url=url, layout="lesa_stu", url_public=True).shown_url == url
    assert Source(name="s", url=url, layout="lesa_stu").shown_url == "https://www.ice.gov/…/f.xlsx"


def test_a_files_published_name_is_redacted_like_its_url(tmp_path):
    from detainers.extract.landing import published_name

    assert published_name("https://example.org/data.csv;jsessionid=ABC123", tmp_path / "x.csv") == "data.csv"
    assert published_name("https://example.org/t0kenAbCdEf0123456789xyz", tmp_path / "x.csv") == "…"
    assert published_name("/srv/data/fy2015.xlsx", tmp_path / "x.xlsx") == "fy2015.xlsx"


def test_a_file_whose_content_differs_from_the_manifest_pin_is_refused(tmp_path):
    from detainers.errors import FetchError as Refused
    from detainers.extract.fetch import check_pinned

    landed = fetch("local", str(BUNDLED_EXTRACT), tmp_path, ("xlsx",))
    check_pinned("local", landed, landed.sha256)  # the pinned content passes
    check_pinned("local", landed, None)  # no pin: anything passes
    with pytest.raises(Refused, match="source local: the file's sha256 is d6352d3b.*but the manifest pins 0000"):
        check_pinned("local", landed, "0" * 64)


def test_a_local_file_replaced_mid_fetch_lands_under_the_hash_of_the_bytes_copied(tmp_path, monkeypatch):
    """The file is swapped for another (a rename, as a publisher's sync would do) right after
    the fetch first opens it: what lands is named by the sha256 of exactly its own bytes,
    and the manifest's pin is checked against those bytes."""
    source = write_csv(tmp_path / "f.csv", [HEADER, *good_rows(3)])
    first, other = source.read_bytes(), write_csv(tmp_path / "other.csv", [HEADER, *good_rows(7)]).read_bytes()
    openers = ((builtins, "open"), (io, "open"), (os, "open"))  # whichever way a fetch opens it
    real = {module: getattr(module, name) for module, name in openers}

    def swap_after_first_open(opener):
        def opened(path, *args, **kwargs):
            handle = opener(path, *args, **kwargs)
            if str(path) == str(source) and not swapped:
                swapped.append(True)
                (tmp_path / "swap.csv").write_bytes(other)
                os.replace(tmp_path / "swap.csv", source)
            return handle
        return opened

    def fetch_while_swapping(pin):
        swapped.clear()
        source.write_bytes(first)
        with monkeypatch.context() as patch:
            for module, name in openers:
                patch.setattr(module, name, swap_after_first_open(real[module]))
            return fetch_source(Source(name="s", url=str(source), layout="lesa_stu", sha256=pin), tmp_path / "landing", None)

    swapped: list = []
    landed = fetch_while_swapping(None)
    assert swapped, "the file was swapped during the fetch"
    content = landed.path.read_bytes()
    assert landed.path.name == f"{hashlib.sha256(content).hexdigest()}.csv" == f"{landed.sha256}.csv"
    assert content == first, "what lands is what the one open read"
    with pytest.raises(FetchError, match="but the manifest pins"):
        fetch_while_swapping(hashlib.sha256(other).hexdigest())


def test_where_the_kernel_cannot_copy_file_to_file_the_copy_goes_through_python(tmp_path, monkeypatch):
    import errno

    def no_sendfile(*args):
        raise OSError(errno.EINVAL, "sendfile: not file to file here")

    monkeypatch.setattr(os, "sendfile", no_sendfile)
    monkeypatch.setattr("detainers.extract.fetch.land_shared", lambda *args: None)  # no link here: a copy
    landed = fetch("local", str(BUNDLED_EXTRACT), tmp_path, ("xlsx",))
    assert landed.path.read_bytes() == XLSX and landed.sha256 == hashlib.sha256(XLSX).hexdigest()
