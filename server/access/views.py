"""The permission gate of web views: the one access policy, applied before a view runs; and
what the page header shows of the signed-in person (the links the policy lets them open)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from server.access.policy import PERMISSIONS, permits
from server.access.viewer import Viewer, web_viewer
from server.auth.decorators import current_web_user, login_required
from server.core.errors import AccessDenied


def current_viewer() -> Viewer:
    """The logged-in web user as the access policy sees it (login_required ran first)."""
    user = current_web_user()
    if user is None:
        raise AccessDenied("请先登录 / please log in")
    return web_viewer(user)


def permission_required(action: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Log in first (a redirect), then the viewer's role must permit `action` (else 403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @login_required
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not permits(current_viewer(), action):
                raise AccessDenied("您的角色无权访问此页面 / your role may not open this page")
            return view(*args, **kwargs)

        return wrapper

    return decorator


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The person the page header names, and the actions the policy permits them: the header's
    links and the home page's follow the policy, never a role compared in a template."""

    display_name: str
    may: frozenset[str]


def signed_in() -> SignedIn | None:
    user = current_web_user()
    if user is None:
        return None
    viewer = web_viewer(user)
    return SignedIn(user.display_name, frozenset(a for a in PERMISSIONS if permits(viewer, a)))
