"""detainers: ICE detainer records into a DuckDB warehouse of trustworthy metrics."""

__version__ = "0.1.0"
