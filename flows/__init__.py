"""Prefect flows and tasks. Tasks are thin: each calls a plain function in `detainers`.

Importing this package sets quiet, offline-safe Prefect defaults (a user's own settings
win): no analytics, no API log shipping noise, time for the local server's first start.
"""

import os

for _key, _value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW": "ignore",
}.items():
    os.environ.setdefault(_key, _value)
