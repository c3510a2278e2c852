"""Only keras_wass/backend/ imports TensorFlow, JAX or PyTorch."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "keras_wass"
PATTERN = re.compile(r"^\s*(import|from)\s+(tensorflow|jax|torch)\b", re.MULTILINE)


def test_framework_imports_only_in_backend():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "backend" not in path.relative_to(PACKAGE).parts[:1]
        and PATTERN.search(path.read_text())
    ]
    assert offenders == []
