"""What a command is asked, checked before anything slow starts: dates and windows, states,
the basis of a report, a schedule. A mistake is a UsageError (the command line exits 2)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from detainers.errors import UsageError
from detainers.report.window import BASES, DEFAULT_END, DEFAULT_START



def date_asked(value: str | None, default: dt.date, option: str) -> dt.date:
    """A date as YYYY-MM-DD; a date of that shape that does not exist is told which part is wrong."""
    if value is None:
        return default
    shape = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not shape:
        raise UsageError(f"{option} must be a date as YYYY-MM-DD, not {value!r}")
    year, month, day = (int(part) for part in shape.groups())
    if year < 1:
        raise UsageError(f"{option} {value}: there is no year 0000")
    if not 1 <= month <= 12:
        raise UsageError(f"{option} {value}: month {shape[2]} does not exist (01 to 12)")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise UsageError(f"{option} {value}: day {shape[3]} does not exist in {calendar.month_name[month]} {year} "
                         f"(01 to {days})")
    return dt.date(year, month, day)


def window_asked(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """--start and --end (default: the inspector general's window), in order."""
    window = (date_asked(start, DEFAULT_START, "--start"), date_asked(end, DEFAULT_END, "--end"))
    if window[0] > window[1]:
        raise UsageError(f"--start {window[0]} is after --end {window[1]}")
    return window


def manifest_window(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """`releases --manifest`'s window: --start (default: the first day a known release holds)
    and --end (default: today), in order."""
    from detainers.schemas.reference import releases

    first = min(r.held_days[0] for r in releases().values())
    window = (date_asked(start, first, "--start"), date_asked(end, dt.date.today(), "--end"))
    if window[0] > window[1]:
        raise UsageError(f"--start {window[0]} is after --end {window[1]}")
    return window


def states_asked(values: list[str] | None) -> tuple[str, ...] | None:
    """--state values as two-letter codes (names accepted); None: the nation."""
    if not values:
        return None
    from detainers.schemas.reference import as_state_codes

    try:
        return as_state_codes(values)
    except ValueError as exc:
        raise UsageError(f"--state: unknown state {exc}") from None


def basis_asked(basis: str) -> str:
    if basis not in BASES:
        raise UsageError(f"--basis must be one of {', '.join(BASES)}, not {basis!r}")
    return basis


CRON_FIELDS = "minute hour day-of-month month day-of-week"


def check_schedule(cron: str, timezone: str) -> None:
    """A cron expression and an IANA time zone, checked by Prefect's own schedule (its public
    CronSchedule: the parse and the dates its scheduler would make), and refused where Prefect
    would run something other than what was written: six or seven fields (Quartz and others put
    seconds first; Prefect's cron reads a sixth field as seconds at the end, so '0 0 3 * * *'
    would run at midnight on each month's 3rd), or a day that never comes ('0 3 30 2 *': Prefect
    would accept it and never run)."""
    import datetime as dt
    import zoneinfo

    fields = cron.split()
    if len(fields) in (6, 7):
        raise UsageError(f"cannot schedule {cron!r}: it has {len(fields)} field(s), and Prefect reads only five "
                         f"({CRON_FIELDS}; no seconds, no year): e.g. '0 3 * * *', nightly at 03:00")
    try:
        zone = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"cannot schedule {cron!r} in {timezone!r}: not an IANA time zone "
                         "(e.g. 'UTC', 'America/New_York')") from None
    import asyncio

    from prefect.server.schemas.schedules import CronSchedule

    try:
        schedule = CronSchedule(cron=cron, timezone=timezone)
    except ValueError:  # pydantic's ValidationError, naming the cron (the zone was checked above)
        raise UsageError(f"cannot schedule {cron!r}: not a cron expression (e.g. '0 3 * * *', nightly at 03:00)") from None
    try:  # from 2000, a leap year: '0 3 29 2 *' runs
        runs = asyncio.run(schedule.get_dates(n=1, start=dt.datetime(2000, 1, 1, tzinfo=zone)))
    except ValueError:  # its cron finds no next date
        runs = []
    if not runs:
        raise UsageError(f"cannot schedule {cron!r}: no day ever matches it, so it would never run "
                         f"({CRON_FIELDS}); check the day of the month against the month")
