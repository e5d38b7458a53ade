"""Extract: the manifest of sources (manifest.py), fetching each into the landing zone
(fetch.py), and the landing zone itself (landing.py): files named by their sha256, written
once, never edited."""
