# SPDX-License-Identifier: BSD-3-Clause
"""haimg.py - turn a compiled standalone image into an HA pair's image for
the packet tests: append SK_SEC_HA (struct sk_img_ha) and SK_SEC_ADDR_HA
(one struct sk_img_addr_ha per address) and fix the header's length and CRC.

Until the `ha` config group reaches sekisho-cp this is how the cases get an
HA image; the layouts mirror dataplane/include/sk_image.h (sekisho-dp's
sk_image_verify refuses a record size that does not match, so a drift fails
the cases loudly).  Also the heartbeat the peer would send (sk_ha.h)."""

import hashlib
import hmac
import ipaddress
import os
import struct

SEC_ADDRS, SEC_HA, SEC_ADDR_HA, SEC_MAX = 3, 13, 14, 15
HDR_FMT = "<IHHIIIIQQ128s"
HA_FMT = "<32s128s128sBB6sHH8I"
UNIT_FMT = "HBBHH16s16s64s64s"
HA_REC = HA_FMT + UNIT_FMT + UNIT_FMT
NO_IFACE = 0xFFFF
DP_PORT = 7411
CLUSTER = "pkt-pair"
KEY_LABEL = b"sekisho dataplane heartbeat"
ROLES = {"init": 0, "standby": 1, "active": 2, "forced-standby": 3, "fault": 4}


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_T = _crc32c_table()


def crc32c(data, crc=0):
    """rte_hash_crc: CRC32-C, reflected, no inversion."""
    for b in data:
        crc = _T[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc


def _addr16(a):
    ip = ipaddress.ip_address(a)
    return ip.packed.ljust(16, b"\0"), 4 if ip.version == 4 else 6


def _unit(u, ha):
    dp = ha.get("dp", {}).get(u)
    dp16, dpfam = _addr16(dp) if dp else (b"\0" * 16, 0)
    return (100 if u == 1 else 50, 4, dpfam, 7410, 0, dp16, dp16, b"", b"")


def patch(img_path, ha, d):
    """ha: units {1: [addr...], 2: [addr...]} (the rest is floating), dp
    {unit: addr} (dataplane heartbeat addresses; none = no heartbeat),
    dp_iface, garp_count, psk."""
    psk_path = os.path.join(d, "ha.psk")
    with open(psk_path, "w") as f:
        f.write(ha.get("psk", "packet test psk") + "\n")
    with open(img_path, "rb") as f:
        img = bytearray(f.read())
    hdr_len = struct.unpack_from("<H", img, 6)[0]
    secs_at = struct.calcsize(HDR_FMT)
    sec = [list(struct.unpack_from("<4I", img, secs_at + 16 * i)) for i in range(SEC_MAX)]
    off, n, esz = sec[SEC_ADDRS][0], sec[SEC_ADDRS][1], sec[SEC_ADDRS][2]
    owner = {}
    for u, addrs in ha.get("units", {}).items():
        for a in addrs:
            owner[ipaddress.ip_address(a)] = u
    recs = b""
    for i in range(n):
        fam, _plen, _ifc, raw = struct.unpack_from("<BBH16s", img, off + i * esz)
        a = ipaddress.ip_address(raw[:4] if fam == 4 else raw)
        u = owner.get(a, 0)
        recs += struct.pack("<BBH", u, 0 if u else 1, 0)
    rec = struct.pack(HA_REC, CLUSTER.encode(), psk_path.encode(), b"", 0, 0, b"\0" * 6,
                      ha.get("dp_iface", NO_IFACE), DP_PORT, 50, 200, 0,
                      ha.get("garp_count", 0), 1000, 1000, 0, 0,
                      *_unit(1, ha), *_unit(2, ha))
    while len(img) % 4:
        img.append(0)
    sec[SEC_HA] = [len(img), 1, len(rec), 0]
    img += rec
    while len(img) % 4:
        img.append(0)
    sec[SEC_ADDR_HA] = [len(img), n, 4, 0]
    img += recs
    for i in (SEC_HA, SEC_ADDR_HA):
        struct.pack_into("<4I", img, secs_at + 16 * i, *sec[i])
    struct.pack_into("<I", img, 12, len(img))                      # total_len
    struct.pack_into("<I", img, 16, crc32c(bytes(img[hdr_len:])))  # crc
    with open(img_path, "wb") as f:
        f.write(img)


def heartbeat(unit, role, term, seq, boot=1, psk="packet test psk", cluster=CLUSTER,
              generation=1, version=1, magic=0x534B4842):
    """struct sk_ha_dphb as unit `unit` sends it (big-endian, HMAC-SHA256 last)."""
    key = hmac.new(psk.encode(), KEY_LABEL, hashlib.sha256).digest()
    body = struct.pack(">IHBB32sQQQQII", magic, version, unit, ROLES[role],
                       cluster.encode(), boot, seq, term, generation, 50, 0)
    return body + hmac.new(key, body, hashlib.sha256).digest()
