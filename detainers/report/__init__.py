"""Report: reading the published warehouse's marts, never its raw or staging tables: the
headline for a window (headline.py), the reconciliation with published figures
(reconciliation.py) and the self-contained HTML page (html.py)."""
