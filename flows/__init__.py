"""The Prefect flows and tasks (installed as `detainers.flows`). Tasks are thin: each calls a
plain function of `detainers`. This package depends on `detainers`, never the reverse: the
command line finds these entries through the `detainers.prefect` entry points
(pyproject.toml; detainers.launch.prefect_entry), which set Prefect's defaults
(detainers.launch.prefect_environment) before Prefect is imported. Importing this package
changes nothing."""
