"""The components, their templates and a database of their own for the tests."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

folder = Path(tempfile.mkdtemp(prefix="chat-tests-"))
os.environ["CHAT_DB"] = str(folder / "chat.db")
os.environ["CHAT_MEDIA"] = str(folder / "media")

from component_framework.project import load_project  # noqa: E402

load_project(__file__).setup()
