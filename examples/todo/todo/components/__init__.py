"""Components: importing this package imports every module in it, so each one registers.

cf imports it from [tool.cf] components; the app imports it the same way.
"""

from component_framework.project import import_package

import_package(__name__)
