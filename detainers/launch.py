"""How `detainers run` and `detainers backfill` run the pipeline.

With a Prefect API configured (PREFECT_API_URL in the environment, in the active Prefect
profile, in ./prefect.toml or ./.env), or with --prefect, a run is a Prefect flow
(flows/pipeline.py): each stage a task, its logs and artifacts in Prefect's UI. Otherwise it
is plain Python (detainers.pipeline.run_pipeline): the same stages, with no Prefect start-up
(Prefect's temporary local server takes 6 to 7 s to start, on every run). Deciding reads
files and environment variables only: Prefect is imported only when it will run.
"""

from __future__ import annotations

import logging
import os
import sys
import tomllib
from pathlib import Path

from detainers.errors import DetainersError


def prefect_api_configured() -> bool:
    if os.environ.get("PREFECT_API_URL"):
        return True
    if "prefect.settings" in sys.modules:  # a process that runs Prefect already (a test harness, serve)
        from prefect.settings import get_current_settings

        return bool(get_current_settings().api.url)
    return bool(_profile_api_url() or _local_api_url())


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()


def _profile_api_url() -> str | None:
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", prefect_home() / "profiles.toml")).expanduser()
    profiles = _toml(path)
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active")
    return profiles.get("profiles", {}).get(active or "", {}).get("PREFECT_API_URL")


def _local_api_url() -> str | None:
    """Prefect also reads ./prefect.toml ([api] url) and ./.env (PREFECT_API_URL=...)."""
    url = _toml(Path("prefect.toml")).get("api", {}).get("url")
    if url:
        return url
    env = Path(".env")
    if env.is_file():
        for line in env.read_text("utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "PREFECT_API_URL" and value.strip():
                return value.strip()
    return None


def _toml(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text("utf-8")) if path.is_file() else {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


def check_prefect_home() -> None:
    """Prefect keeps its settings and (with no API configured) its database under PREFECT_HOME:
    a folder it cannot write, or a damaged database, would fail after minutes of server
    tracebacks. Say so in one line before Prefect starts."""
    home = prefect_home()
    fix = "fix its permissions, or point PREFECT_HOME at a writable folder"
    if home.exists() and not home.is_dir():
        raise DetainersError(f"PREFECT_HOME {home} is a file, not a folder: point PREFECT_HOME at a folder")
    if home.exists() and not os.access(home, os.W_OK | os.X_OK):
        raise DetainersError(f"PREFECT_HOME {home} is not writable: {fix}")
    if not home.exists() and not os.access(_existing_parent(home), os.W_OK):
        raise DetainersError(f"PREFECT_HOME {home} cannot be created: {fix}")
    database = home / "prefect.db"
    if database.exists() and not prefect_api_configured():
        with open(database, "rb") as fh:
            head = fh.read(16)
        if head and head != b"SQLite format 3\x00":
            raise DetainersError(f"Prefect's database {database} is damaged: move it away (Prefect makes a new "
                                 "one) or point PREFECT_HOME elsewhere")


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


# Quiet, offline-safe Prefect defaults, each a Prefect setting a user's own environment overrides:
# no analytics, time for the local server's first start, and the pipeline's own log lines
# (logger `detainers`: each source fetched and loaded, the models, the publish) sent to the
# run's logs in Prefect's UI.
PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "detainers",
}
PREFECT_ENTRIES = "detainers.prefect"  # the entry point group of the flows (pyproject.toml)


def prefect_environment() -> None:
    """Prefect's defaults for this process (PREFECT_DEFAULTS), set before Prefect is imported.
    The pipeline's INFO lines then reach the run's log in Prefect's UI only, not again the
    console (the command prints a summary, `serve` a line per run)."""
    for key, value in PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
    logger = logging.getLogger("detainers")
    logger.setLevel(logging.INFO)
    logger.propagate = False


def prefect_entry(name: str):
    """A flow or the serve loop of the Prefect layer, by its entry point name (run_flow,
    backfill_flow, serve), with Prefect's defaults set first."""
    from importlib.metadata import entry_points

    found = entry_points(group=PREFECT_ENTRIES, name=name)
    if not found:
        raise DetainersError(f"the Prefect flows are not installed (no entry point {name!r} in {PREFECT_ENTRIES}): "
                             "install the project with `pip install .`")
    prefect_environment()
    return next(iter(found)).load()


def run(flow: str, tracked: bool | None, plan, warehouse: Path, wait_seconds: float, **flow_parameters):
    """Run the plan: as the Prefect flow `flow` when tracked (None: when an API is configured),
    else as plain Python. The flow builds its own plan from its parameters (a deployment's
    runs are started with parameters only); both give the same RunSummary."""
    if tracked is None:
        tracked = prefect_api_configured()
    if not tracked:
        from detainers.pipeline import run_pipeline

        return run_pipeline(plan, warehouse, wait_seconds)
    check_prefect_home()
    state = prefect_entry(flow)(warehouse=warehouse, wait_seconds=wait_seconds, return_state=True, **flow_parameters)
    if state.is_failed():
        raise DetainersError(state.message)
    return state.result()
