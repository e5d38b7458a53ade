"""Layouts of ICE detainer releases, the readers that parse them, and the pandera models
that guard each boundary: the layout as published, and the canonical detainer row."""
