"""What decides the rows a load derives from a file: the source's layout as resolved (with its
manifest mapping), its states, the reference data normalization and validation read
(schemas.reference.ROW_RULES), and the canonical model and transform code that apply them.
A load stays current only while its fingerprint is unchanged: an edit to any of these derives
the source's rows again from its landing file at the next run (no download)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from detainers.extract.manifest import Source
from schemas import canonical, reference

CODE = sorted(Path(__file__).parent.glob("*.py")) + [Path(canonical.__file__)]


def derivation_fingerprint(source: Source) -> str:
    digest = hashlib.sha256()
    digest.update(source.resolved_layout().model_dump_json().encode())
    digest.update(json.dumps(source.states).encode())
    for path in [*(reference.REFERENCE_DIR / name for name in reference.ROW_RULES), *CODE]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
