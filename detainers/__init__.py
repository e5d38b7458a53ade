"""detainers: ICE detainer records into a DuckDB warehouse of trustworthy metrics.

A row's way, folder by folder: `extract/` (manifest, fetch, landing) -> `transform/` (read,
normalize, validate) -> `load/` (raw rows and rejects) -> `warehouse/` (the DuckDB file: SQL
models, data tests, publish, exports) -> `report/` (reading the marts). `pipeline.py` calls the
stages in that order; `cli.py` and the Prefect flows (`detainers.flows`, the repository's
`flows/`) call the pipeline.
"""

__version__ = "0.1.0"

import logging

logging.getLogger("detainers").addHandler(logging.NullHandler())  # a library: where its lines go is the caller's choice
