"""Whose address a limit counts: one client may hold many IPv6 addresses, never many /64s.

An IPv6 subscriber normally gets a whole /64 network (2^64 addresses, which privacy extensions
rotate through), so counting each address apart would give one client 2^64 rate-limit buckets
and upload shares. Limits therefore count an IPv6 address by its /64 network, an IPv4-mapped
IPv6 address (``::ffff:192.0.2.7``, a dual-stack socket's view of an IPv4 client) as its IPv4
address, and an IPv4 address as itself.
"""

from __future__ import annotations

import functools
import ipaddress

_HOST_BITS = 64


@functools.lru_cache(maxsize=16_384)
def address_group(address: str) -> str:
    """What *address* counts as: ``"2001:db8:1:2::/64"`` for ``"2001:db8:1:2::7"``,
    ``"192.0.2.7"`` for ``"::ffff:192.0.2.7"``; an IPv4 address (or a text that is no address,
    such as a host's placeholder) as itself."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv4Address):
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    network = int(parsed) >> _HOST_BITS << _HOST_BITS  # drops a zone ("%eth0") too
    return str(ipaddress.IPv6Network((network, 128 - _HOST_BITS)))
