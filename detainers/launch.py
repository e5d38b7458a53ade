"""How `detainers run` and `detainers backfill` run the pipeline.

With a Prefect API configured (PREFECT_API_URL, wherever Prefect's settings find it: the
environment, the active profile, ./prefect.toml, ./.env, ./pyproject.toml's [tool.prefect]), or
with --prefect, a run is a Prefect flow (flows/pipeline.py): each stage a task, its logs and
artifacts in Prefect's UI. Otherwise it is plain Python (detainers.pipeline.run_pipeline): the
same stages, with no Prefect start-up (Prefect's temporary local server takes 6 to 7 s to start,
on every run). Prefect's settings are read by Prefect (prefect.settings.get_current_settings);
importing Prefect takes 0.8 s, so it is imported only where it has something to read.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from detainers.errors import DetainersError


def prefect_api_configured() -> bool:
    if os.environ.get("PREFECT_API_URL"):
        return True
    if "prefect.settings" not in sys.modules and not _prefect_settings_files():
        return False  # Prefect would find only its defaults, which name no API
    return bool(_prefect_settings().api.url)


def _prefect_settings():
    """Prefect's settings as Prefect reads them, its defaults (PREFECT_DEFAULTS) set first."""
    prefect_environment()
    from prefect.settings import get_current_settings

    return get_current_settings()


def _prefect_settings_files() -> list[Path]:
    """The files Prefect could read a setting from, where they exist (only whether they exist
    is looked at here; Prefect reads them): ./.env, ./prefect.toml, a ./pyproject.toml with a
    [tool.prefect] table, and the profiles file (PREFECT_PROFILES_PATH, or profiles.toml under
    PREFECT_HOME, by default ~/.prefect)."""
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    found = [Path(".env"), Path("prefect.toml"), Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml")]
    found = [path for path in found if path.is_file()]
    with_prefect = Path("pyproject.toml")
    if with_prefect.is_file() and "tool.prefect" in with_prefect.read_text("utf-8", errors="replace"):
        found.append(with_prefect)
    return found


def prefect_home() -> Path:
    """PREFECT_HOME as Prefect resolves it (~ and $PREFECT_HOME templates included)."""
    return Path(_prefect_settings().home)


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


PREFECT_STARTING = {  # what `run --prefect` says before Prefect's seconds of start-up
    True: "running as a Prefect flow on the configured Prefect API (PREFECT_API_URL)",
    False: "starting Prefect: its own temporary server for this run takes a few seconds (with --no-prefect, a run "
           "needs none; with PREFECT_API_URL, it runs on that server)",
}


def run(flow: str, tracked: bool | None, plan, warehouse: Path, wait_seconds: float, say=None, **flow_parameters):
    """Run the plan: as the Prefect flow `flow` when tracked (None: when an API is configured),
    else as plain Python. The flow builds its own plan from its parameters (a deployment's
    runs are started with parameters only); both give the same RunSummary. `say(line)`: a line
    before Prefect starts, which is silent for seconds."""
    if tracked is None:
        tracked = prefect_api_configured()
    if not tracked:
        from detainers.pipeline import run_pipeline

        return run_pipeline(plan, warehouse, wait_seconds)
    check_prefect_home()
    if say is not None:
        say(PREFECT_STARTING[prefect_api_configured()])
    state = prefect_entry(flow)(warehouse=warehouse, wait_seconds=wait_seconds, return_state=True, **flow_parameters)
    if state.is_failed():
        raise DetainersError(state.message)
    return state.result()
