"""Build: the warehouse file, its lock and its atomic publish (warehouse.py), the tables the
loader writes (ddl.py), the reference tables and SQL models with their data tests
(reference.py, models.py), the data dictionary (dictionary.py), what the build records of
itself (audit.py), and the marts exported as files (exports.py)."""
