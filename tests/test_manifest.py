"""The manifest: the bundled one loads; mistakes are named with the file and source."""

import pytest

from detainers.errors import ManifestError
from detainers.extract.manifest import load_manifest
from detainers.schemas.reference import failure
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


# ---- routine faults of a manifest, in words (issue 25) ---------------------------------

def run_with(manifest, tmp_path):
    """`detainers run` on the manifest, as a user runs it: exit code and output."""
    from typer.testing import CliRunner

    from detainers.cli import app

    done = CliRunner().invoke(app, ["run", "--no-prefect", "--manifest", str(manifest), "--warehouse", str(tmp_path / "w.duckdb")])
    return done.exit_code, done.output


def test_a_manifest_that_starts_with_a_byte_order_mark_is_read(tmp_path):
    """Notepad saves UTF-8 with a byte-order mark; tomllib calls it an invalid statement."""
    path = tmp_path / "sources.toml"
    path.write_bytes(b"\xef\xbb\xbf" + ENTRY.format(name="a", url="x.csv").encode())
    (source,) = load_manifest(path).sources
    assert (source.name, source.layout) == ("a", "lesa_stu")


def test_a_manifest_in_utf16_says_to_save_it_as_utf8(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_bytes(ENTRY.format(name="a", url="x.csv").encode("utf-16"))
    code, output = run_with(path, tmp_path)
    assert (code, output) == (2, f"error: {failure('manifest_not_utf8', file=path, offset=0)}\n")


def test_a_manifest_nested_too_deep_is_one_line_not_a_recursion_error(tmp_path):
    path = write(tmp_path, ENTRY.format(name="a", url="x.csv") + "columns = " + "[" * 5000 + "]" * 5000 + "\n")
    code, output = run_with(path, tmp_path)
    assert (code, output) == (2, f"error: {failure('toml_too_deep', file=path)}\n")
    assert "Recursion" not in output and "unexpected" not in output


@pytest.mark.parametrize("key, line", [("max_text_length", "max_text_length = 99999999999999999999"),
                                       ("defaults.max_blank_rows", "max_blank_rows = -99999999999999999999"),
                                       ("layout_options.header_row", "layout_options = {header_row = 18446744073709551616}")],
                         ids=["limit", "negative-default", "nested"])
def test_an_integer_over_64_bits_is_named_not_an_overflow(tmp_path, key, line):
    """DuckDB and polars take 64-bit integers: 2^64 in max_text_length was "unexpected OverflowError"."""
    text = (f"[defaults]\n{line}\n" if key.startswith("defaults") else "") + ENTRY.format(name="a", url="x.csv")
    path = write(tmp_path, text + ("" if key.startswith("defaults") else line + "\n"))
    code, output = run_with(path, tmp_path)
    setting = key if key.startswith("defaults") else f"source[1].{key}"
    assert (code, output) == (2, f"error: {failure('integer_too_large', file=path, setting=setting, largest=2**63 - 1)}\n")


def test_the_largest_64_bit_integer_is_still_a_setting(tmp_path):
    path = write(tmp_path, ENTRY.format(name="a", url="x.csv") + f"max_bytes = {2**63 - 1}\n")
    assert load_manifest(path).sources[0].max_bytes == 2**63 - 1


def test_a_release_given_with_a_layout_and_a_window_past_its_drawing_is_one_line(tmp_path):
    """The release's extraction date still holds when the entry sets its own layout and window:
    a window ending after it is refused in words (was "unexpected ValidationError")."""
    path = write(tmp_path, ENTRY.format(name="a", url="x.xlsx")
                 + 'release = "foia-15-87693-fy15ytd-xlsx"\nwindow_start = 2014-10-01\nwindow_end = 2015-09-30\n')
    code, output = run_with(path, tmp_path)
    assert code == 2 and output.count("\n") == 1, output
    assert output == (f"error: {path}: source #1 (a): extracted_on 2015-07-26 is before the window ends (2015-09-30): a release "
                      "holds no detainer prepared after it was drawn (release foia-15-87693-fy15ytd-xlsx; set extracted_on in "
                      "the entry if it was drawn later)\n")
    ok = write(tmp_path, ENTRY.format(name="a", url="x.xlsx")
               + 'release = "foia-15-87693-fy15ytd-xlsx"\nwindow_start = 2014-10-01\nwindow_end = 2015-06-30\n')
    (source,) = load_manifest(ok).sources
    assert (str(source.window_end), str(source.extracted_on), source.layout) == ("2015-06-30", "2015-07-26", "lesa_stu")


@pytest.mark.parametrize("text", ['[source]\nname = "a"\nurl = "x.csv"\n', 'source = ["a"]\n', 'defaults = 3\n[[source]]\nname = "a"\n'],
                         ids=["a-table-not-an-array", "strings", "defaults-not-a-table"])
def test_sources_written_as_anything_but_an_array_of_tables_are_one_line(tmp_path, text):
    code, output = run_with(write(tmp_path, text), tmp_path)
    assert code == 2 and output.endswith("each source is a table written [[source]], and the defaults one written [defaults]\n")
