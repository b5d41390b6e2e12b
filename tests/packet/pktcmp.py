# SPDX-License-Identifier: BSD-3-Clause
"""pktcmp.py - pcap files and packet comparison for the packet tests.

Expected and actual packets are both rebuilt with scapy from their bytes and
compared field by field, layer by layer, so a mismatch reads as
"IP.ttl: expected 63, got 64" rather than as a hex dump.  Checksums in what
the dataplane sent are also recomputed and must be right on their own,
independent of the expectation.
"""

import struct

from scapy.layers.inet import IP, TCP, UDP, ICMP
from scapy.layers.inet6 import _ICMPv6
from scapy.layers.l2 import Ether
from scapy.packet import Padding, NoPayload, Raw

PCAP_MAGIC_US = 0xA1B2C3D4
PCAP_MAGIC_NS = 0xA1B23C4D
LINKTYPE_ETHERNET = 1


# ---------------------------------------------------------------- pcap I/O

def pcap_header():
    """The global header of a microsecond Ethernet pcap."""
    return struct.pack("<IHHiIII", PCAP_MAGIC_US, 2, 4, 0, 0, 65535, LINKTYPE_ETHERNET)


def pcap_records(frames, first=0):
    """frames (scapy packets or bytes) as pcap records; first numbers the
    stamps of a stream written in several pieces (a FIFO fed later)."""
    out = []
    for i, fr in enumerate(frames, first):
        b = bytes(fr)
        out.append(struct.pack("<IIII", 1700000000, i, len(b), len(b)) + b)
    return b"".join(out)


def write_pcap(path, frames):
    """Write frames (scapy packets or bytes) as a microsecond pcap.  An empty
    list still gets the global header: net_pcap refuses a zero-byte file."""
    with open(path, "wb") as f:
        f.write(pcap_header() + pcap_records(frames))


def read_pcap(path):
    """Frames of a pcap file as bytes (either byte order, us or ns stamps).
    Raises ValueError on a missing header or a cut record."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise ValueError("%s: %d bytes, no pcap header (did the dataplane "
                         "stop its ports?)" % (path, len(data)))
    for endian in ("<", ">"):
        magic, = struct.unpack(endian + "I", data[:4])
        if magic in (PCAP_MAGIC_US, PCAP_MAGIC_NS):
            break
    else:
        raise ValueError("%s: bad pcap magic %s" % (path, data[:4].hex()))
    linktype, = struct.unpack(endian + "I", data[20:24])
    if linktype != LINKTYPE_ETHERNET:
        raise ValueError("%s: linktype %d, not Ethernet" % (path, linktype))
    frames, off = [], 24
    while off < len(data):
        if off + 16 > len(data):
            raise ValueError("%s: record header cut at byte %d" % (path, off))
        _, _, caplen, origlen = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        if off + caplen > len(data):
            raise ValueError("%s: record cut at byte %d" % (path, off))
        if caplen != origlen:
            raise ValueError("%s: frame %d captured %d of %d bytes"
                             % (path, len(frames), caplen, origlen))
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


# ---------------------------------------------------------------- layers

def layers(pkt):
    """The layers of pkt, outermost first, without Ethernet padding."""
    out = []
    p = pkt
    while p is not None and not isinstance(p, NoPayload):
        if isinstance(p, Padding):
            break
        out.append(p)
        p = p.payload
    return out


def layer_name(layer):
    return type(layer).__name__


def rebuild(pkt):
    """Bytes -> scapy, or scapy -> bytes -> scapy (fills computed fields)."""
    return Ether(bytes(pkt))


def summary(pkt):
    try:
        return pkt.summary()
    except Exception:  # scapy can choke on deliberately broken packets
        return bytes(pkt).hex()


def _in_quote(name):
    # ICMP errors quote the offending packet; scapy dissects the quote as
    # IPerror/TCPerror/UDPerror/ICMPerror/IPerror6.  Their checksums belong to
    # the original, cut-off packet and cannot be recomputed.
    return name.endswith("error") or name.endswith("error6")


def _cksum_field(layer):
    if isinstance(layer, (IP, TCP, UDP, ICMP)) and not _in_quote(layer_name(layer)):
        return "chksum"
    if isinstance(layer, _ICMPv6) and any(f.name == "cksum" for f in layer.fields_desc):
        return "cksum"
    return None


def _is_fragment(pkt):
    ip = pkt.getlayer(IP)
    return ip is not None and not _in_quote(layer_name(ip)) and \
        (int(ip.flags) & 1 or ip.frag != 0)


def bad_checksums(pkt):
    """Checksums in pkt (as sent) that do not match a recomputation.  L4
    checksums of IPv4 fragments are skipped (they cover the whole datagram)."""
    pkt = rebuild(pkt)
    errs = []
    frag = _is_fragment(pkt)
    for i, layer in enumerate(layers(pkt)):
        name = layer_name(layer)
        if _in_quote(name):
            break  # everything after is quoted
        fname = _cksum_field(layer)
        if fname is None:
            continue
        if frag and not isinstance(layer, IP):
            continue
        got = layer.getfieldval(fname)
        if isinstance(layer, UDP) and got == 0 and pkt.getlayer(IP) is not None:
            continue  # IPv4 UDP: checksum 0 means "not computed"
        # By position in layers(), not getlayer(i): scapy's getlayer counts
        # IP options as layers of their own.
        clone = pkt.copy()
        setattr(layers(clone)[i], fname, None)
        want = layers(rebuild(clone))[i].getfieldval(fname)
        if got != want:
            errs.append("%s.%s: 0x%04x is wrong, correct is 0x%04x"
                        % (name, fname, got, want))
    return errs


def _fmt(layer, fname, val):
    try:
        return layer.get_field(fname).i2repr(layer, val)
    except Exception:
        return repr(val)


def diff_packets(expected, actual, ignore=()):
    """Field-by-field differences between two packets, as lines.  ignore
    holds "Layer.field" names (e.g. "IP.id") not to compare."""
    e, a = rebuild(expected), rebuild(actual)
    el, al = layers(e), layers(a)
    out = []
    for i in range(max(len(el), len(al))):
        if i >= len(el):
            out.append("unexpected extra layer %s: %s" % (layer_name(al[i]), summary(al[i])))
            break
        if i >= len(al):
            out.append("missing layer %s: %s" % (layer_name(el[i]), summary(el[i])))
            break
        le, la = el[i], al[i]
        if type(le) is not type(la):
            out.append("layer %d: expected %s, got %s (%s)"
                       % (i, layer_name(le), layer_name(la), summary(la)))
            break
        name = layer_name(le)
        for f in le.fields_desc:
            key = "%s.%s" % (name, f.name)
            if key in ignore:
                continue
            ve, va = le.getfieldval(f.name), la.getfieldval(f.name)
            if ve != va:
                if isinstance(ve, bytes) and isinstance(va, bytes):
                    out.append("%s: payload differs (%d vs %d bytes; first "
                               "difference at byte %d)" % (key, len(ve), len(va),
                                                          _first_diff(ve, va)))
                else:
                    out.append("%s: expected %s, got %s"
                               % (key, _fmt(le, f.name, ve), _fmt(la, f.name, va)))
    return out


def _first_diff(x, y):
    for i, (p, q) in enumerate(zip(x, y)):
        if p != q:
            return i
    return min(len(x), len(y))


# ---------------------------------------------------------------- fragments

def reassemble(frames):
    """Reassemble IPv4 fragments (scapy packets with Ether) of one datagram.
    Returns (packet, errors).  Every fragment's header must agree with the
    first one and the pieces must tile [0, total) without gaps or overlaps."""
    errs = []
    frags = sorted((rebuild(f) for f in frames), key=lambda p: p[IP].frag)
    first = frags[0]
    data, expect_off = b"", 0
    for n, f in enumerate(frags):
        ip = f[IP]
        for fld in ("src", "dst", "id", "proto", "ttl", "tos", "version"):
            if ip.getfieldval(fld) != first[IP].getfieldval(fld):
                errs.append("fragment %d: IP.%s %r differs from the first's %r"
                            % (n, fld, ip.getfieldval(fld), first[IP].getfieldval(fld)))
        if f[Ether].src != first[Ether].src or f[Ether].dst != first[Ether].dst:
            errs.append("fragment %d: Ethernet addresses differ from the first's" % n)
        off = ip.frag * 8
        piece = bytes(ip.payload)
        piece = piece[:ip.len - ip.ihl * 4]  # no Ethernet padding
        last = n == len(frags) - 1
        if off != expect_off:
            errs.append("fragment %d: offset %d, expected %d (gap or overlap)"
                        % (n, off, expect_off))
        if bool(int(ip.flags) & 1) == last:
            errs.append("fragment %d: MF=%d wrong for %s fragment"
                        % (n, int(ip.flags) & 1, "the last" if last else "a middle"))
        if not last and len(piece) % 8:
            errs.append("fragment %d: %d data bytes, not a multiple of 8" % (n, len(piece)))
        data += piece
        expect_off = off + len(piece)
    hdr = first[IP].copy()
    hdr.remove_payload()
    hdr.flags = int(hdr.flags) & ~1
    hdr.frag = 0
    hdr.len = None
    hdr.chksum = None
    whole = Ether(src=first[Ether].src, dst=first[Ether].dst) / IP(bytes(hdr / Raw(data)))
    return rebuild(whole), errs
