"""Permission classes, check_permissions, and their enforcement on the message path."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest

from component_framework.core import (
    AllowAny,
    BasePermission,
    Component,
    ComponentRegistry,
    DjangoModelPermission,
    IsAuthenticated,
    IsStaff,
    IsSuperuser,
)
from component_framework.core.exceptions import NotAuthenticatedError, PermissionDeniedError
from component_framework.core.permissions import check_permissions
from component_framework.core.protocol import handle_message, http_status, signed_message
from component_framework.core.signing import Signer


@dataclass
class User:
    is_authenticated: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    perms: set[str] = field(default_factory=set)

    def has_perm(self, perm: str) -> bool:
        return perm in self.perms


@dataclass
class Request:
    user: Any = None


class StarletteLikeRequest:
    """``request.user`` raises AssertionError without AuthenticationMiddleware."""

    @property
    def user(self) -> Any:
        raise AssertionError("AuthenticationMiddleware must be installed to access request.user")


ANON = Request(User(is_authenticated=False))
ALICE = Request(User())
STAFF = Request(User(is_staff=True))
ROOT = Request(User(is_superuser=True))


@pytest.mark.parametrize(
    ("permission", "request_", "expected"),
    [
        (AllowAny, None, True),
        (BasePermission, None, True),
        (IsAuthenticated, None, False),
        (IsAuthenticated, Request(), False),
        (IsAuthenticated, ANON, False),
        (IsAuthenticated, ALICE, True),
        (IsAuthenticated, StarletteLikeRequest(), False),
        (IsStaff, ALICE, False),
        (IsStaff, STAFF, True),
        (IsStaff, None, False),
        (IsSuperuser, STAFF, False),
        (IsSuperuser, ROOT, True),
        (IsSuperuser, Request(), False),
    ],
)
def test_user_permissions(permission: type[BasePermission], request_: Any, expected: bool) -> None:
    assert permission().has_permission(request_, Component) is expected


class NeedsOne(Component):
    permission_required = "app.change_thing"


class NeedsTwo(Component):
    permission_required: ClassVar[list[str]] = ["app.change_thing", "app.delete_thing"]


class NeedsNothing(Component):
    permission_required = ""


def test_django_model_permission_with_a_string() -> None:
    check = DjangoModelPermission().has_permission
    assert check(Request(User(perms={"app.change_thing"})), NeedsOne) is True
    assert check(Request(User(perms={"app.view_thing"})), NeedsOne) is False
    assert check(Request(), NeedsOne) is False
    assert check(None, NeedsOne) is False


def test_django_model_permission_with_an_iterable_needs_all() -> None:
    check = DjangoModelPermission().has_permission
    both = {"app.change_thing", "app.delete_thing"}
    assert check(Request(User(perms=both)), NeedsTwo) is True
    assert check(Request(User(perms={"app.change_thing"})), NeedsTwo) is False


def test_django_model_permission_without_a_requirement_allows() -> None:
    check = DjangoModelPermission().has_permission
    assert check(None, NeedsNothing) is True
    assert check(None, Component) is True


class Secret(Component):
    permission_classes: ClassVar[list[type[BasePermission]]] = [IsAuthenticated, IsStaff]


def test_check_permissions_raises_401_for_anonymous_and_403_for_the_wrong_user() -> None:
    with pytest.raises(NotAuthenticatedError, match=r"^Authentication required\.$") as anon:
        check_permissions(Secret, ANON)
    assert (anon.value.code, anon.value.status) == ("not_authenticated", 401)
    with pytest.raises(NotAuthenticatedError):
        check_permissions(Secret, None)
    with pytest.raises(PermissionDeniedError, match=r"^Permission denied\.$") as denied:
        check_permissions(Secret, ALICE)
    assert (denied.value.code, denied.value.status) == ("permission_denied", 403)
    check_permissions(Secret, STAFF)
    check_permissions(Component, None)


def make_guarded(registry: ComponentRegistry) -> list[str]:
    ran: list[str] = []

    @registry.register("guarded")
    class Guarded(Component):
        template_name = "guarded.html"
        permission_classes: ClassVar[list[type[BasePermission]]] = [IsStaff]

        def mount(self) -> None:
            ran.append("mount")
            super().mount()

        def hydrate(self, state: dict[str, Any]) -> None:
            ran.append("hydrate")
            super().hydrate(state)

        def on_go(self) -> None:
            ran.append("go")

    return ran


@pytest.mark.parametrize(
    ("request_", "code", "error", "status"),
    [
        (None, "not_authenticated", "Authentication required.", 401),
        (ANON, "not_authenticated", "Authentication required.", 401),
        (ALICE, "permission_denied", "Permission denied.", 403),
    ],
)
async def test_the_message_path_checks_permissions_before_any_component_code(
    fresh_registry: ComponentRegistry,
    signer: Signer,
    request_: Any,
    code: str,
    error: str,
    status: int,
) -> None:
    ran = make_guarded(fresh_registry)
    for message in (
        signed_message("guarded", "go", signer=signer),
        signed_message("guarded", "go", state={"x": 1}, component_id="g-1", signer=signer),
    ):
        reply = await handle_message(message, request_, registry=fresh_registry, signer=signer)
        assert reply == {"type": "error", "error": error, "code": code}
        assert http_status(reply) == status
    assert ran == []


class EditorsOnly(BasePermission):
    message = "Only editors may change articles."

    def has_permission(self, request: Any, component_cls: type) -> bool:
        return "editor" in getattr(request.user, "perms", set())


class SignInFirst(IsAuthenticated):
    message = "Sign in to see your basket."


class Guarded(Component):
    template_name = "x.html"
    permission_classes: ClassVar[list[type[BasePermission]]] = [EditorsOnly]


class Basket(Component):
    template_name = "x.html"
    permission_classes: ClassVar[list[type[BasePermission]]] = [SignInFirst]


class Needs(Component):
    template_name = "x.html"
    permission_classes: ClassVar[list[type[BasePermission]]] = [DjangoModelPermission]
    permission_required: ClassVar[list[str]] = ["shop.view_article", "shop.change_article"]


def test_a_permission_class_gives_its_own_message() -> None:
    with pytest.raises(PermissionDeniedError, match=r"^Only editors may change articles\.$"):
        check_permissions(Guarded, Request(User()))
    with pytest.raises(NotAuthenticatedError, match=r"^Sign in to see your basket\.$"):
        check_permissions(Basket, Request(None))


def test_the_refusal_names_the_class_and_the_missing_permissions_but_the_client_sees_neither() -> (
    None
):
    user = User(perms={"shop.view_article"})
    with pytest.raises(PermissionDeniedError) as refused:
        check_permissions(Needs, Request(user))
    assert refused.value.refused_by == "DjangoModelPermission"
    assert refused.value.missing == ("shop.change_article",)
    assert str(refused.value) == "Permission denied."  # what the reply carries
