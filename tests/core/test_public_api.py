"""The public API is exactly what the seed documents, importable from the modules it names."""

from __future__ import annotations

import importlib

import component_framework.core as core

SEED_ALL = [
    "Component",
    "ComponentError",
    "EventNotFoundError",
    "StateSerializer",
    "compose",
    "SlotRenderer",
    "FormComponent",
    "ModelFormComponent",
    "AllowAny",
    "BasePermission",
    "DjangoModelPermission",
    "IsAuthenticated",
    "IsStaff",
    "IsSuperuser",
    "ComponentRegistry",
    "registry",
    "Renderer",
    "StateStore",
    "InMemoryStateStore",
    "StreamingComponent",
    "format_sse_frame",
    "ComponentWebSocketManager",
    "WebSocketConnection",
    "ws_manager",
]

SEED_MODULES = {
    "component": ["Component", "ComponentError", "EventNotFoundError", "StateSerializer"],
    "composition": ["SlotRenderer", "compose"],
    "form": ["FormComponent", "ModelFormComponent"],
    "permissions": [
        "AllowAny",
        "BasePermission",
        "DjangoModelPermission",
        "IsAuthenticated",
        "IsStaff",
        "IsSuperuser",
    ],
    "registry": ["ComponentRegistry", "registry"],
    "renderer": ["Renderer"],
    "state": ["InMemoryStateStore", "StateStore"],
    "streaming": ["StreamingComponent", "format_sse_frame"],
    "websocket": ["ComponentWebSocketManager", "WebSocketConnection", "ws_manager"],
}


def test_all_matches_the_seed() -> None:
    assert sorted(core.__all__) == sorted(SEED_ALL)
    for name in SEED_ALL:
        assert getattr(core, name) is not None


def test_names_live_in_the_seed_modules() -> None:
    for module_name, names in SEED_MODULES.items():
        module = importlib.import_module(f"component_framework.core.{module_name}")
        for name in names:
            assert getattr(module, name) is getattr(core, name), (module_name, name)
