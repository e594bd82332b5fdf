"""Where a login may send the browser afterwards: a path on this site, never another host.

Browsers clean a URL before they read it (WHATWG URL standard, "basic URL parser"): they drop
leading and trailing spaces and control characters, remove every tab, CR and LF wherever it
is, and read a backslash as a slash. So `/\t/evil.example`, ` //evil.example` and `/\\evil`
all reach `//evil.example`, another host. Rather than guess the browser's result, a target
that this cleaning would change is refused outright; what is left must be an absolute path
(one leading slash, not two), which has no scheme and no host. Pure: no Flask.
"""

from __future__ import annotations

import re

# C0 controls (tab, CR and LF among them), space, DEL and the backslash.
_CLEANED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next_path(target: str | None) -> str | None:
    """`target` if it is a path on this site as a browser would read it, else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if _CLEANED_BY_BROWSERS.search(target):
        return None
    return target
