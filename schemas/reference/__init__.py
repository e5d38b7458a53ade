"""Reference data as files: the mappings and rules normalization and validation use."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import tomllib
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent


def _rows(name: str) -> list[dict[str, str]]:
    with open(REFERENCE_DIR / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def state_codes() -> dict[str, str]:
    """State, DC and territory names, and their codes, to the two-letter code."""
    rows = _rows("states.csv")
    return {**{r["name"]: r["code"] for r in rows}, **{r["code"]: r["code"] for r in rows}}


@functools.cache
def outcomes_by_lift_reason() -> dict[str, str]:
    return {r["lift_reason"]: r["outcome"] for r in _rows("lift_reasons.csv")}


@functools.cache
def outcomes() -> list[str]:
    return [r["outcome"] for r in _rows("outcomes.csv")]


@functools.cache
def detainer_forms() -> dict[str, str]:
    """Detainer type code as it starts the published type (I247D) to the form (I-247D)."""
    return {r["code"]: r["form"] for r in _rows("detainer_forms.csv")}


@functools.cache
def placeholder_facilities() -> frozenset[str]:
    return frozenset(r["facility_name"] for r in _rows("placeholder_facilities.csv"))


@functools.cache
def rules() -> dict:
    return tomllib.loads((REFERENCE_DIR / "rules.toml").read_text("utf-8"))


def earliest_prepare_date() -> dt.date:
    return rules()["earliest_prepare_date"]
