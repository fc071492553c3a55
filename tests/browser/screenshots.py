"""Where the browser journeys put their screenshots.

The user guides' pictures (docs/img) are refreshed only on purpose — `make screenshots` sets
INFOGOV_SCREENSHOTS=docs — so that an ordinary test run leaves the checkout clean.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

DOCS_IMG_DIR = Path(__file__).resolve().parents[2] / "docs" / "img"


def screenshot_dir() -> Path:
    if os.environ.get("INFOGOV_SCREENSHOTS") == "docs":
        return DOCS_IMG_DIR
    path = Path(tempfile.gettempdir()) / "infogov-screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


DOCS_IMG = screenshot_dir()
