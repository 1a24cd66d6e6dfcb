"""The chat's components: a room (one registered per room) and its statistics panel."""

from .room import Room, room_component
from .room_stats import RoomStats

__all__ = ["Room", "RoomStats", "room_component"]
