# SPDX-License-Identifier: BSD-3-Clause
"""telemetry.py - a minimal DPDK telemetry v2 client (the protocol that
usertools/dpdk-telemetry.py speaks): one SOCK_SEQPACKET connection per
process, JSON answers.  Nested dicts are flattened to "a.b" keys."""
import json
import os
import socket
import time


class Telemetry:
    def __init__(self, prefix, timeout=20.0):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        deadline = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
                self.s.connect(path)
                break
            except OSError:
                self.s.close()
                if time.time() > deadline:
                    raise RuntimeError("no telemetry socket at %s" % path)
                time.sleep(0.2)
        info = json.loads(self.s.recv(1 << 16).decode())
        self.bufsz = int(info.get("max_output_len", 16384)) + 1024

    def cmd(self, c):
        self.s.send(c.encode())
        data = json.loads(self.s.recv(self.bufsz).decode())
        return data.get(c.split(",")[0])

    def close(self):
        self.s.close()


def flatten(d, pre=""):
    out = {}
    for k, v in (d or {}).items():
        if isinstance(v, dict):
            out.update(flatten(v, pre + k + "."))
        else:
            out[pre + k] = v
    return out


def exists(prefix):
    return os.path.exists("/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix)
