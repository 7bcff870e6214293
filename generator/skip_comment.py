"""The one pattern for inline Checkov skip comments in tfgen.

Read by the scan report (generator/report/skips.py) and by the README's skip
list (render.module_facts). It lives outside generator/report/ so that
`tfgen render` imports no report code.

It is the pattern Checkov 3.x uses (checkov/common/comment/enum.py) with its
groups renumbered, so that we read exactly the comments Checkov reads without
importing Checkov (slow). Like Checkov, any line containing the marker counts,
with or without `#`. Group 1: the check IDs ("A" or "A,B"; None when there is
none); group 2: the reason after the colon (None when there is no colon).
"""

from __future__ import annotations

import re

SKIP_COMMENT = re.compile(
    r"(?:checkov:skip=|bridgecrew:skip=|cortex:skip=) *([A-Za-z_\d-]+(?:,[A-Za-z_\d-]+)*)?(?::([^\n]*))?"
)
