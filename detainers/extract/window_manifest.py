"""A manifest for any window: the fewest known releases (schemas/reference/releases.csv) that
together hold every day of a window of prepare dates, each inside its trusted window, as the
TOML `detainers run --manifest` reads (`detainers releases --manifest`).

Which releases: a day is covered by a release whose trusted window holds it and whose file holds
it (its prepare dates, where the catalog knows them). Among the sets covering the window with
the fewest files, the one with the fewest stand-ins (releases holding another's records, such as
NPR's stack or the bundled workbook, where a release of its own is trusted) wins, then the one
with the fewest bytes to download: so the inspector general's window is NPR's FY2014-FY2017
files. Where two chosen releases' trusted windows share days, the later one's entry starts where
the earlier one's days end, so no day is trusted twice.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass

from detainers.schemas.reference import Release, releases

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Entry:
    """One release of the manifest, and the days it is chosen for."""

    release: Release
    covers_start: dt.date  # the first day of the window it supplies
    covers_end: dt.date  # the last
    window_start: dt.date | None  # set in the entry only where it narrows the catalog's window
    window_end: dt.date | None


@dataclass(frozen=True)
class Cover:
    start: dt.date
    end: dt.date
    entries: tuple[Entry, ...]
    gaps: tuple[tuple[dt.date, dt.date], ...]  # days of the window no known release holds


def cover(start: dt.date, end: dt.date, catalog: dict[str, Release] | None = None) -> Cover:
    """The fewest releases holding [start, end] (then fewest stand-ins, then fewest bytes)."""
    known = list((catalog or releases()).values())
    spans = {r.id: r.held_days for r in known}
    # Shortest path over "the first day not yet covered": a step takes one release from that day on.
    best: dict[dt.date, tuple] = {start: (0, 0, 0)}
    came: dict[dt.date, tuple[dt.date, Release | None]] = {}
    queue = [((0, 0, 0), start)]
    done = set()
    while queue:
        cost, day = heapq.heappop(queue)
        if day in done:
            continue
        done.add(day)
        if day > end:
            break
        steps = [(r, min(spans[r.id][1] or end, end) + DAY) for r in known
                 if spans[r.id][0] <= day and (spans[r.id][1] is None or spans[r.id][1] >= day)]
        if not steps:  # a gap: skip to the next day some release holds, at no cost
            later = [spans[r.id][0] for r in known if day < spans[r.id][0] <= end]
            steps = [(None, min(later) if later else end + DAY)]
        for release, after in steps:
            step = (0, 0, 0) if release is None else (1, int(bool(release.stands_in_for)), release.bytes)
            total = tuple(a + b for a, b in zip(cost, step))
            if after not in best or total < best[after]:
                best[after], came[after] = total, (day, release)
                heapq.heappush(queue, (total, after))
    chosen, gaps, day = [], [], end + DAY
    while day != start:
        before, release = came[day]
        (chosen if release else gaps).append((release, before, day - DAY))
        day = before
    chosen.reverse()
    entries = []
    for i, (release, first, last) in enumerate(chosen):
        following = chosen[i + 1][1] if i + 1 < len(chosen) else None
        narrow_start = first if release.window_start and release.window_start < first and i else None
        narrow_end = following - DAY if following and (release.window_end is None or release.window_end >= following) else None
        entries.append(Entry(release, first, last, narrow_start, narrow_end))
    return Cover(start, end, tuple(entries), tuple((a, b) for _, a, b in reversed(gaps)))


def manifest_toml(plan: Cover) -> str:
    """The manifest: one [[source]] per release, named by its id, each with a comment of what it
    holds and covers; the address and sha256 come from the catalog when it runs."""
    total = sum(e.release.bytes for e in plan.entries)
    lines = [
        f"# Sources for prepare dates {plan.start} .. {plan.end}: {len(plan.entries)} known release(s), {total:,} bytes in all",
        "# (`detainers releases --manifest`). Each entry names its release: `detainers run --manifest` fetches it from",
        "# the address the catalog gives and checks its sha256 as it lands. To fetch the files from a folder of copies",
        "# or another server instead, by their published names, set before the first [[source]]:",
        '# mirror = "downloads/"',
    ]
    for a, b in plan.gaps:
        lines.append(f"# No known release holds {a} .. {b}: those days stay uncovered.")
    for entry in plan.entries:
        r = entry.release
        window = f"{r.window_start or '…'} .. {r.window_end or '…'}"
        lines += [
            "",
            "[[source]]",
            f'name = "{r.id}"',
            f'release = "{r.id}"',
            f"# {r.file} ({r.publisher}, {r.published_in}), {r.bytes:,} bytes, layout {r.layout}",
            f"# {r.url}",
            f"# covers {entry.covers_start} .. {entry.covers_end} of the window"
            + ("" if r.held_days[1] else " as far as its file reaches (its last prepare date is not known)")
            + f"; the catalog trusts it for {window}",
        ]
        if r.stands_in_for:
            lines.append(f"# holds the records of {', '.join(r.stands_in_for)} on these days")
        if entry.window_start:
            lines.append(f"window_start = {entry.window_start}")
        if entry.window_end:
            lines.append(f"window_end = {entry.window_end}  # the next entry takes over")
    return "\n".join(lines) + "\n"
