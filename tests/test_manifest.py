"""The manifest: the bundled one loads; mistakes are named with the file and source."""

import pytest

from detainers.errors import ManifestError
from detainers.extract.manifest import load_manifest
from tests.conftest import BUNDLED_EXTRACT, ROOT

ENTRY = """
[[source]]
name = "{name}"
url = "{url}"
layout = "lesa_stu"
"""


def write(tmp_path, text):
    path = tmp_path / "sources.toml"
    path.write_text(text)
    return path


def test_the_bundled_manifest_points_at_the_bundled_extract():
    (source,) = load_manifest(ROOT / "sources.toml").sources
    assert source.url == str(BUNDLED_EXTRACT)
    assert (str(source.window_start), str(source.window_end)) == ("2014-10-01", "2015-07-19")


def test_a_typo_in_a_key_is_named_with_a_suggestion(tmp_path):
    path = write(tmp_path, ENTRY.format(name="a", url="x.csv") + 'windw_start = 2014-01-01\n')
    with pytest.raises(ManifestError, match=r"source #1 \(a\): unknown key 'windw_start' \(did you mean 'window_start'\?\)"):
        load_manifest(path)


def test_a_duplicate_source_name_is_refused(tmp_path):
    path = write(tmp_path, ENTRY.format(name="a", url="x.csv") + ENTRY.format(name="a", url="y.csv"))
    with pytest.raises(ManifestError, match="used more than once: a"):
        load_manifest(path)


def test_an_unknown_layout_and_scheme_are_refused(tmp_path):
    with pytest.raises(ManifestError, match="unknown layout 'lesa_stuu' \\(did you mean 'lesa_stu'\\?\\)"):
        load_manifest(write(tmp_path, ENTRY.format(name="a", url="x.csv").replace('"lesa_stu"', '"lesa_stuu"')))
    with pytest.raises(ManifestError, match="only http, https and local paths"):
        load_manifest(write(tmp_path, ENTRY.format(name="a", url="ftp://host/x.csv")))


def test_a_missing_manifest_is_named(tmp_path):
    with pytest.raises(ManifestError, match="manifest not found"):
        load_manifest(tmp_path / "nope.toml")
