"""The example notebooks run under nbval against a throwaway database.

The kernel nbval starts inherits this environment, so iterations recorded while
testing never reach the user's default database (``make lab`` leaves the
variable unset and the notebook uses ``~/.mlops_jupyter``).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

_home = tempfile.mkdtemp(prefix="mlops-notebooks-")
atexit.register(shutil.rmtree, _home, ignore_errors=True)
os.environ["MLOPS_JUPYTER_HOME"] = _home
os.environ.pop("MLOPS_JUPYTER_TRACKING_URI", None)
