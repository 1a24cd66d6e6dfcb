"""The dev server behind ``cf dev``: gallery, playground and in-process live reload.

Example:

    from component_framework.devserver import create_dev_app, run

    run(port=8000)                       # what `cf dev` does: uvicorn, one process
    app = create_dev_app(load_project()) # or the Starlette app itself, for tests
"""

from ._errors import DevError
from ._snapshots import check_snapshot
from .app import DevState, create_dev_app
from .server import PortInUseError, run

__all__ = ["DevError", "DevState", "PortInUseError", "check_snapshot", "create_dev_app", "run"]
