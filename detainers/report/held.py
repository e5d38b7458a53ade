"""What the loaded data holds of the window asked, said before any figure: its own first and last
day, the share of the window's days and states, and that the figures are for that part. The
text report, the HTML page and the JSON (`figures_cover`) all say it in these words, so no figure
is ever labelled with a window the data does not cover."""

from __future__ import annotations

BASIS_WORDS = {"prepare": "", "decline": " by decline date"}


def where(h: dict) -> str:
    return ", ".join(h["states"]) if h.get("states") else "all states"


def has_data(h: dict) -> bool:
    return bool(h.get("coverage_start"))


def states_held(h: dict) -> str:
    """The states the data holds on its days: 'all 56 states', '1 to 56 of 56 states', 'PA'."""
    counts = [s["states_covered"] for s in h.get("coverage_stretches") or [] if s["states_covered"]]
    count = h["state_count"]
    low, high = (min(counts), max(counts)) if counts else (h.get("states_covered") or 0,) * 2
    held = f"{low}" if low == high else f"{low} to {high}"
    if h.get("states"):
        asked = ", ".join(h["states"])
        if count == 1:
            return asked
        return f"all {count} states asked ({asked})" if low == high == count else f"{held} of the {count} states asked ({asked})"
    return f"all {count} states" if low == high == count else f"{held} of {count} states"


def _share(h: dict) -> str:
    cells = "days" if h["state_count"] == 1 else "days and states"
    return (f"{h['days_covered']:,} of its {h['days_in_window']:,} days, {states_held(h)}, "
            f"{h['coverage_ratio']:.1%} of its {cells}")


def whole(h: dict) -> bool:
    return bool(h.get("coverage_complete"))


def held_line(h: dict) -> str:
    """The report's first line."""
    window = f"{h['window_start']} .. {h['window_end']}"
    basis = BASIS_WORDS[h.get("basis") or "prepare"]
    if not has_data(h):
        reach = " (no loaded source with decline dates, lift dates, reaches it)" if basis else ""
        return f"the loaded data holds nothing{basis} of {window}, {where(h)}{reach}: no figure can be given for it"
    if whole(h):
        return f"the data holds all of {window}{basis}: {h['days_in_window']:,} days, {states_held(h)}"
    return (f"the data holds {h['coverage_start']} .. {h['coverage_end']}{basis} of the window asked ({window}): "
            f"{_share(h)}; the figures below are for that part")


def held_keys(h: dict) -> dict:
    """What a --by report's JSON says of the data held, beside the window asked: the data's own
    first and last day in it and the sentence of what the figures cover."""
    return {"coverage_start": h.get("coverage_start"), "coverage_end": h.get("coverage_end"),
            "figures_cover": figures_cover(h)}


def figures_span(report: dict) -> str:
    """A --by table's title span: the data's own days in the window, never the window asked."""
    if not report.get("coverage_start"):
        return f"no data in {report['window_start']} .. {report['window_end']}"
    return f"{report['coverage_start']} .. {report['coverage_end']}"


def figures_cover(h: dict) -> str:
    """The JSON's one sentence of what the figures count."""
    if not has_data(h):
        return "nothing: the loaded data holds no day of the window, so every figure is null"
    if whole(h):
        return f"the whole window: {h['days_in_window']:,} days, {states_held(h)}"
    return f"only the part of the window the data holds, {h['coverage_start']} .. {h['coverage_end']}: {_share(h)}"


def fully_covered_line(h: dict) -> str | None:
    """Where coverage is partial, the --start/--end a report would be fully covered for."""
    if not has_data(h) or whole(h):
        return None
    if h.get("fully_covered_start"):
        return (f"fully covered: --start {h['fully_covered_start']} --end {h['fully_covered_end']}"
                + (f" --state {' --state '.join(h['states'])}" if h.get("states") else ""))
    return (f"no day of the window holds every one of the {h['state_count']} states asked: "
            "ask for fewer states (--state) to see a fully covered window")


def figures_line(h: dict) -> str | None:
    """The headline figures, labelled with the data's own span and states."""
    if not has_data(h):
        return None
    span = f"{h['coverage_start']} .. {h['coverage_end']}, {where(h)}"
    n = h["declining_jurisdictions"]
    declines = (f"{h['declined_detainers']:,} declined by {n:,} jurisdiction{'' if n == 1 else 's'} "
                f"({h['declined_without_jurisdiction']:,} declined with no known jurisdiction)")
    if h.get("detainers_issued") is None:
        return f"{span}, by decline date: {declines}"
    return f"{span}: {h['detainers_issued']:,} detainers issued, {declines}"
