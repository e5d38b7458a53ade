"""Errors a user can act on. The CLI prints their message, never a traceback."""


class DetainersError(Exception):
    """Base of every error the pipeline reports to its user."""


class ManifestError(DetainersError):
    """The manifest (sources.toml) cannot be used as written."""


class FetchError(DetainersError):
    """A source could not be fetched, or what came back is not the expected file."""


class LayoutError(DetainersError):
    """A file does not have the shape its layout describes."""


class RejectThresholdError(DetainersError):
    """Too large a share of a source's rows failed validation."""

    status = "failed_reject_threshold"


class WarehouseBusyError(DetainersError):
    """Another run holds the warehouse's write lock."""


class DataTestError(DetainersError):
    """A SQL data test found rows that break a rule; the build was not published."""


class UsageError(DetainersError):
    """A command was asked something it cannot do as written (a bad date, an unknown source):
    nothing ran. The command line exits 2."""
