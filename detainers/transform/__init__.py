"""Transform: a landed file into canonical rows, batch by batch.

- read.py picks the reader by the file's first bytes (read_csv.py, read_xlsx.py,
  read_parquet.py) and the layout by the catalog or the header (header.py); every reader yields
  batches of published rows with their provenance (info.py).
- What a file may ask of the machine, checked before it is expanded: limits.py (the limits, and
  values too long to keep), workbook.py and decoded.py (an xlsx's declared and decoded sizes),
  blank_rows.py (runs of blank rows).
- normalize.py maps published values onto the canonical row; values.py normalizes and
  validates each distinct value of a load once, with the pandera models applied by validate.py.
- batches.py chains these for one source, reads ahead while the loader writes, and says what
  decides the rows a load derives (its fingerprint).
"""
