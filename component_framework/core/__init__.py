"""Core framework components.

Framework-agnostic: no web framework is imported here. The transports in
``component_framework.web`` and ``cf dispatch`` all go through ``protocol``.
"""

from .component import Component, ComponentError, EventNotFoundError, StateSerializer
from .composition import SlotRenderer, compose
from .form import FormComponent, ModelFormComponent
from .permissions import (
    AllowAny,
    BasePermission,
    DjangoModelPermission,
    IsAuthenticated,
    IsStaff,
    IsSuperuser,
)
from .registry import ComponentRegistry, registry
from .renderer import Renderer
from .state import InMemoryStateStore, StateStore
from .streaming import StreamingComponent, format_sse_frame
from .websocket import ComponentWebSocketManager, WebSocketConnection, ws_manager

__all__ = [
    "AllowAny",
    "BasePermission",
    "Component",
    "ComponentError",
    "ComponentRegistry",
    "ComponentWebSocketManager",
    "DjangoModelPermission",
    "EventNotFoundError",
    "FormComponent",
    "InMemoryStateStore",
    "IsAuthenticated",
    "IsStaff",
    "IsSuperuser",
    "ModelFormComponent",
    "Renderer",
    "SlotRenderer",
    "StateSerializer",
    "StateStore",
    "StreamingComponent",
    "WebSocketConnection",
    "compose",
    "format_sse_frame",
    "registry",
    "ws_manager",
]
