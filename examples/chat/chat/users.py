"""Who is signed in: the name kept in the session, as Starlette's ``request.user``."""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
from starlette.requests import HTTPConnection

__all__ = ["SignedInByName", "user_named"]


def user_named(name: str) -> SimpleUser:
    """The user signed in as *name* (``cf dev`` and ``cf dispatch --user`` use it too)."""
    return SimpleUser(name)


class SignedInByName(AuthenticationBackend):
    """``request.user`` is the name in the session: permission classes see who is signed in."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, SimpleUser] | None:
        name = conn.session.get("name")
        if not isinstance(name, str):
            return None
        return AuthCredentials(["authenticated"]), user_named(name)
