from __future__ import annotations

from pathlib import Path

import pytest

from ._wheels import build_wheels, download_dependencies


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both wheels of this checkout and the compiler's pinned dependencies, side by side."""
    out = tmp_path_factory.mktemp("wheelhouse")
    build_wheels(out)
    download_dependencies(out)
    return out
