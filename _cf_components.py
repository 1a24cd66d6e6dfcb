"""The ``cf`` command's entry point, outside the ``component_framework`` package on purpose.

The import name ``component_framework`` is shared with an older, unrelated project on the
package index (distribution ``component-framework``); installed over this one, it replaces the
package's files but not this module. So ``cf`` checks here, before importing anything of the
package's, that the ``component_framework`` it finds is this distribution's, and says how to
repair the environment in one line when it is not.
"""

from __future__ import annotations

import sys
from importlib import metadata

__all__ = ["main"]

DISTRIBUTION = "cf-components"
OLDER = "component-framework"
REPAIR = f"pip uninstall -y {OLDER} {DISTRIBUTION} && pip install {DISTRIBUTION}"


def problem() -> str | None:
    """Why the ``component_framework`` of this environment is not this distribution's, or None."""
    try:
        older = metadata.version(OLDER)
    except metadata.PackageNotFoundError:
        older = None
    if older is not None:
        return (
            f"{OLDER} {older} is installed here too, another project with the import name "
            f"component_framework, and the two cannot share an environment"
        )
    try:
        import component_framework
    except Exception as error:  # any failure means a broken or foreign package
        return f"component_framework cannot be imported ({type(error).__name__}: {error})"
    found: str | None = getattr(component_framework, "__version__", None)
    expected: str | None
    try:
        expected = metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        expected = found  # run from a source tree without an install: nothing to compare
    if found is None or found != expected:
        where = getattr(component_framework, "__file__", None) or "an incomplete package"
        return (
            f"component_framework at {where} is not {DISTRIBUTION} {expected} "
            f"(its version: {found})"
        )
    return None


def main() -> None:
    """Run ``cf``, or print one line and exit 1 when the package is not this distribution's."""
    found = problem()
    if found is not None:
        sys.stderr.write(f"cf: {found}; repair it with: {REPAIR}\n")
        raise SystemExit(1)
    from component_framework.cli import main as run

    run()
