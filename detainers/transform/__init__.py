"""Transform: a landed file into canonical rows. Readers (read.py: xlsx and CSV) yield
batches of published rows; the published model checks their shape, normalization
(normalize.py) maps them onto the canonical row, and the canonical model splits the valid
rows from those rejected with their reasons (validate.py). batches.py chains these for one
source and reads ahead while the loader writes."""
