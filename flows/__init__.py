"""Prefect flows and tasks. Tasks are thin: each calls a plain function in `detainers`.

Importing this package sets quiet, offline-safe Prefect defaults (a user's own settings
win): no analytics, no API log shipping noise, time for the local server's first start, and
the pipeline's own log lines (logger `detainers`: each source fetched and loaded, the models,
the publish) sent to the run's logs in Prefect's UI.
"""

import os

for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
    "PREFECT_LOGGING_EXTRA_LOGGERS": "detainers",
}.items():
    os.environ.setdefault(_key, _value)

import logging

# The pipeline's INFO lines are the run's log in Prefect's UI (Prefect adds its API handler to
# the `detainers` logger): there only, not again on the console (the command prints a summary,
# `serve` a line per run).
logging.getLogger("detainers").setLevel(logging.INFO)
logging.getLogger("detainers").propagate = False
