"""The chat's components: a room (one registered per room), its statistics panel and who is
in it (its presence panel)."""

from .room import Room, room_component
from .room_presence import RoomPresence
from .room_stats import RoomStats

__all__ = ["Room", "RoomPresence", "RoomStats", "room_component"]
