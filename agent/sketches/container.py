"""The column-sketch envelope: a small JSON header plus each sketch in DataSketches' own format.

Layout: b"DQCS" | version (u8) | header length (u32, little endian) | header (UTF-8 JSON) |
the sketch blobs, back to back, in the order and with the lengths the header's "blobs" lists.
Each blob is exactly what the plain DataSketches API serialises and deserialises.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from agent.sketches.errors import SketchError

MAGIC = b"DQCS"
VERSION = 1
_PREFIX = struct.Struct("<4sBI")


def pack(header: dict[str, Any], blobs: dict[str, bytes]) -> bytes:
    body = dict(header)
    body["blobs"] = [[name, len(blob)] for name, blob in blobs.items()]
    encoded = json.dumps(body, separators=(",", ":"), allow_nan=True).encode("utf-8")
    return _PREFIX.pack(MAGIC, VERSION, len(encoded)) + encoded + b"".join(blobs.values())


def unpack(data: bytes) -> tuple[dict[str, Any], dict[str, bytes]]:
    if len(data) < _PREFIX.size:
        raise SketchError(f"column sketch bytes: {len(data)} bytes is too short to be one")
    magic, version, header_len = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        raise SketchError("column sketch bytes: bad magic; these are not dq-agent column sketch bytes")
    if version != VERSION:
        raise SketchError(
            f"column sketch bytes: format version {version} is not supported (expected {VERSION})"
        )
    start = _PREFIX.size
    try:
        header = json.loads(data[start : start + header_len].decode("utf-8"))
        offset = start + header_len
        blobs: dict[str, bytes] = {}
        for name, length in header.pop("blobs"):
            blobs[str(name)] = bytes(data[offset : offset + int(length)])
            offset += int(length)
    except (ValueError, KeyError, TypeError) as exc:
        raise SketchError(f"column sketch bytes: corrupt header ({exc})") from exc
    if offset != len(data):
        raise SketchError(f"column sketch bytes: expected {offset} bytes from the header, got {len(data)}")
    return header, blobs
