"""Progress of downloads and loads: bars on a terminal, plain lines in a log, nothing at
all when no reporter is installed."""

import io

from rich.console import Console

from detainers import progress


def test_hooks_do_nothing_without_a_reporter(capsys):
    progress.advance_bytes("s", 10, 100)
    progress.advance_rows("s", 5)
    assert capsys.readouterr() == ("", "")  # no reporter: no output
    # and nothing remembered: a reporter installed later starts from nothing
    buffer = io.StringIO()
    with progress.reporting(progress.for_console(Console(file=buffer, width=200))):
        progress.advance_rows("s", 7)
    assert buffer.getvalue().splitlines() == ["load s: 7 rows read (done)"]


def test_a_log_gets_plain_lines_with_the_totals():
    buffer = io.StringIO()
    console = Console(file=buffer, width=200)
    reporter = progress.for_console(console)
    assert isinstance(reporter, progress.LineReporter)
    with progress.reporting(reporter):
        for _ in range(3):
            progress.advance_bytes("fy2015", 1_000, 3_000)
        progress.advance_rows("fy2015", 50_000)
        progress.advance_rows("fy2015", 29_053)
    progress.advance_rows("fy2015", 1)  # after the run: no longer reported
    lines = buffer.getvalue().splitlines()
    assert lines == ["download fy2015: 3,000 of 3,000 bytes (done)", "load fy2015: 79,053 rows read (done)"]


def test_a_run_stopped_says_stopped_not_done():
    buffer = io.StringIO()
    try:
        with progress.reporting(progress.for_console(Console(file=buffer, width=200))):
            progress.advance_rows("fy2015", 40_000)
            raise KeyboardInterrupt  # Ctrl-C halfway through the load
    except KeyboardInterrupt:
        pass
    assert buffer.getvalue().splitlines() == ["load fy2015: 40,000 rows read (stopped)"]


def test_a_terminal_gets_bars(tmp_path):
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=True)
    reporter = progress.for_console(console)
    assert isinstance(reporter, progress.RichReporter)
    with progress.reporting(reporter):
        progress.advance_bytes("fy2015", 2_461_672, 2_461_672)
        progress.advance_rows("fy2015", 79_053)
    out = buffer.getvalue()
    assert "download fy2015" in out and "2.5/2.5 MB" in out and "79,053 rows" in out


def test_the_bundled_run_reports_its_bytes_and_rows(prefect_server, tmp_path):
    from typer.testing import CliRunner

    from detainers.cli import app

    result = CliRunner().invoke(app, ["run", "--warehouse", str(tmp_path / "w.duckdb")])
    assert result.exit_code == 0, result.output
    assert "download lesa-stu-fy2015: 2,461,672 of 2,461,672 bytes (done)" in result.stdout
    assert "load lesa-stu-fy2015: 79,053 rows read (done)" in result.stdout


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_pipe_gets_each_line_once_however_late_the_first_progress_comes():
    # `detainers run | cat`: the reporter is made before Prefect's start-up (seconds), the
    # download and the load come after it in one or two steps each.
    buffer, clock = io.StringIO(), FakeClock()
    reporter = progress.LineReporter(Console(file=buffer, width=200), every=5.0, clock=clock)
    with progress.reporting(reporter):
        clock.now = 8.0
        progress.advance_bytes("fy2015", 2_461_672, 2_461_672)
        clock.now = 8.5
        progress.advance_rows("fy2015", 50_000)
        progress.advance_rows("fy2015", 29_053)
    assert buffer.getvalue().splitlines() == [
        "download fy2015: 2,461,672 of 2,461,672 bytes (done)", "load fy2015: 79,053 rows read (done)"]


def test_a_long_load_in_a_pipe_gets_a_line_every_interval_then_its_total():
    buffer, clock = io.StringIO(), FakeClock()
    reporter = progress.LineReporter(Console(file=buffer, width=200), every=5.0, clock=clock)
    with progress.reporting(reporter):
        for second in (10, 12, 16, 18, 22):
            clock.now = second
            progress.advance_rows("big", 1_000)
    assert buffer.getvalue().splitlines() == [
        "load big: 3,000 rows read", "load big: 5,000 rows read", "load big: 5,000 rows read (done)"]
