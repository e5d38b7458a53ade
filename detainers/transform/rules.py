"""What decides the rows a load derives from a file: the source's layout as resolved (with its
manifest mapping), its states and the settings that decide what loads (Source.load_settings), the reference data normalization and validation read
(schemas.reference.ROW_RULES), and the code that applies them: the canonical row and its
pandera model, the published layouts' models, and this package.
A load stays current only while its fingerprint is unchanged: an edit to any of these derives
the source's rows again from its landing file at the next run (no download)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from detainers.extract.manifest import Source
from detainers.paths import files_digest
from detainers.schemas import canonical, reference

SCHEMAS = Path(canonical.__file__).parent
CODE = [*sorted(Path(__file__).parent.glob("*.py")), *(SCHEMAS / name for name in ("canonical.py", "canonical_model.py", "published.py"))]


def derivation_fingerprint(source: Source) -> str:
    digest = hashlib.sha256()
    digest.update(source.resolved_layout().model_dump_json().encode())
    digest.update(json.dumps([source.states, source.load_settings]).encode())
    return files_digest([*(reference.REFERENCE_DIR / name for name in reference.ROW_RULES), *CODE], digest)
