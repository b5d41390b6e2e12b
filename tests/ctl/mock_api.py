#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tests/ctl/mock_api.py - a stand-in for sekisho-cp's REST API, for testing
sekishoctl (tests/ctl/selftest) where no unit runs.  It serves the resources
of control/api/api.h in the shapes docs/sekishoctl.md lists, keeps a running
config with generations and archives, answers 409 stale_generation to a
commit that names an old generation and 422 invalid_config (file:line
errors) to text containing the word INVALID.  Plain HTTP on 127.0.0.1, or
HTTPS with --cert/--key.  Prints its port on stdout once listening.

    mock_api.py [--port N] [--token T] [--cert C --key K]
"""
import argparse
import json
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CONFIG = """# lab
zones = ( { name = "outside"; }, { name = "inside"; } );
"""

STATE = {"generation": 1, "text": CONFIG, "archives": [], "killed": 0, "token": None}
CONNS = [
    {"proto": "tcp", "src": "203.0.113.10", "sport": 40000, "dst": "10.10.0.11", "dport": 80,
     "state": "established", "rule": "web-in", "idle": 3, "pkts": 10, "bytes": 4096},
    {"proto": "udp", "src": "10.10.0.12", "sport": 5353, "dst": "203.0.113.53", "dport": 53,
     "rule": "dns-out", "idle": 1, "pkts": 2, "bytes": 180},
]


def archive(gen, text):
    STATE["archives"].append({"generation": gen, "time": int(time.time()), "principal": "mock",
                              "size": len(text), "checksum": "%08x" % (hash(text) & 0xffffffff),
                              "text": text})


archive(1, CONFIG)


def conn_match(c, q):
    src, dst = q.get("src", [None])[0], q.get("dst", [None])[0]
    proto, port = q.get("proto", [None])[0], q.get("port", [None])[0]
    if src and not (c["src"] == src.split("/")[0] or c["dst"] == src.split("/")[0]) and "/" not in src:
        return False
    if dst and "/" not in dst and c["dst"] != dst and c["src"] != dst:
        return False
    if proto and c["proto"] != proto:
        return False
    if port and int(port) not in (c["sport"], c["dport"]):
        return False
    return True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, doc=None, body=None, ctype="application/json"):
        if doc is not None:
            body = (json.dumps(doc) + "\n").encode()
        body = body or b""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, code, msg, details=None):
        self.send(status, {"code": code, "message": msg, "details": details or {}})

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def route(self, method):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        raw = self.body() if method in ("POST", "DELETE") else b""
        if STATE["token"] and self.headers.get("Authorization") != "Bearer " + STATE["token"]:
            return self.error(401, "unauthorized", "missing or bad bearer token")
        if not u.path.startswith("/api/v1/"):
            return self.error(404, "not_found", "no such resource")
        p = u.path[len("/api/v1"):]
        g = STATE["generation"]
        if method == "GET" and p == "/status":
            return self.send(200, {"unit": "mock", "version": "0.1.0", "generation": g, "uptime": 93784,
                                   "dataplane": {"attached": True, "generation": g}})
        if method == "GET" and p == "/config":
            return self.send(200, {"generation": g, "text": STATE["text"]})
        if method == "POST" and p == "/config/validate":
            text = raw.decode()
            if "INVALID" in text:
                line = text[:text.index("INVALID")].count("\n") + 1
                return self.error(422, "invalid_config", "1 error",
                                  {"errors": [{"line": line, "message": "unknown key 'INVALID'"}]})
            return self.send(200, {"valid": True, "summary": {"zones": 2, "rules": 0}})
        if method == "POST" and p in ("/config/commit", "/config/rollback"):
            doc = json.loads(raw or b"{}")
            if doc.get("replaces") != g:
                return self.error(409, "stale_generation",
                                  "replaces %s, running is %d" % (doc.get("replaces"), g))
            if p == "/config/commit":
                text = doc.get("text", "")
            else:
                old = [a for a in STATE["archives"] if a["generation"] == doc.get("generation")]
                if not old:
                    return self.error(404, "not_found", "no archive %s" % doc.get("generation"))
                text = old[0]["text"]
            if "INVALID" in text:
                return self.error(422, "invalid_config", "1 error",
                                  {"errors": [{"line": 1, "message": "unknown key 'INVALID'"}]})
            STATE["generation"] = g + 1
            STATE["text"] = text
            archive(g + 1, text)
            return self.send(200, {"generation": g + 1, "build_ms": 3})
        if method == "POST" and p == "/config/diff":
            doc = json.loads(raw or b"{}")
            same = doc.get("text") == STATE["text"]
            return self.send(200, {"diff": "" if same else "--- running\n+++ new\n@@ changed @@\n"})
        if method == "GET" and p == "/config/archives":
            return self.send(200, {"archives": [{k: v for k, v in a.items() if k != "text"}
                                                for a in STATE["archives"]]})
        if p.startswith("/config/archives/") and method == "GET":
            parts = p.split("/")
            try:
                gen = int(parts[3])
            except ValueError:
                return self.error(400, "bad_request", "bad generation")
            old = [a for a in STATE["archives"] if a["generation"] == gen]
            if not old:
                return self.error(404, "not_found", "no archive %d" % gen)
            if len(parts) == 5 and parts[4] == "export":
                return self.send(200, body=b"SKBUNDLE\0" + old[0]["text"].encode(),
                                 ctype="application/octet-stream")
            return self.send(200, old[0])
        if method == "POST" and p == "/config/archives/import":
            if not raw.startswith(b"SKBUNDLE\0"):
                return self.error(400, "bad_request", "not a bundle")
            gen = max(a["generation"] for a in STATE["archives"]) + 1
            archive(gen, raw[9:].decode())
            return self.send(200, {"generation": gen, "committed": False})
        if method == "GET" and p == "/zones":
            return self.send(200, {"zones": [
                {"name": "outside", "id": 1, "interfaces": [{"name": "eth0", "device": "net_tap0",
                                                             "mtu": 1500, "addresses": ["203.0.113.1/24"]}]},
                {"name": "inside", "id": 2, "interfaces": []}]})
        if method == "GET" and p == "/rules":
            return self.send(200, {"generation": g, "rules": [
                {"id": 1, "name": "web-in", "from": "outside", "to": "inside", "proto": "tcp",
                 "dport": [80], "action": "accept", "log": False, "pkts": 10, "bytes": 4096, "conns": 1}]})
        if method == "GET" and p == "/connections":
            rows = [c for c in CONNS if conn_match(c, q)]
            limit = int(q.get("limit", ["1000"])[0])
            return self.send(200, {"connections": rows[:limit], "truncated": len(rows) > limit})
        if method == "GET" and p == "/connections/count":
            return self.send(200, {"count": len([c for c in CONNS if conn_match(c, q)])})
        if method == "DELETE" and p == "/connections":
            return self.send(200, {"killed": len([c for c in CONNS if conn_match(c, q)])})
        if method == "GET" and p == "/counters":
            return self.send(200, {"generation": g, "forwarded": 1000, "consumed": 3,
                                   "drops": {"no_route": 0, "policy_default_drop": 4},
                                   "local": {"arp_replies": 3},
                                   "ports": {"eth0": {"port": 0, "rx_pkts": 1007, "rx_bytes": 90000,
                                                      "tx_pkts": 1000, "tx_bytes": 88000,
                                                      "rx_missed": 0, "tx_errors": 0}},
                                   "conns": {"active": 2, "capacity": 65536}})
        if method == "GET" and p == "/logs":
            since = int(q.get("since", ["0"])[0])
            recs = [{"seq": s, "ts": 1700000000000000000 + s * 1000000, "kind": "drop",
                     "rule": "deny-ssdp", "in_iface": "eth0", "proto": "udp", "src": "203.0.113.9",
                     "sport": 1900, "dst": "239.255.255.250", "dport": 1900, "len": 120}
                    for s in range(max(since, 1), 4)]
            limit = int(q.get("limit", ["100"])[0])
            recs = recs[:limit]
            return self.send(200, {"records": recs, "next": recs[-1]["seq"] + 1 if recs else max(since, 1)})
        if method == "POST" and p == "/trace":
            doc = json.loads(raw or b"{}")
            if "src" not in doc or "dst" not in doc:
                return self.error(400, "bad_request", "src and dst required")
            return self.send(200, {"verdict": "drop", "rule": {"id": 0, "name": "zone default"},
                                   "from": doc.get("from", "?"), "steps": ["parse ok", "policy: default drop"]})
        if method == "GET" and p == "/lint":
            return self.send(200, {"findings": []})
        if method == "GET" and p == "/exposure":
            return self.send(200, {"exposure": [{"from": "outside", "to": "inside", "proto": "tcp",
                                                 "ports": [80], "rule": "web-in"}]})
        return self.error(404, "not_found", "no such resource: %s %s" % (method, p))

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_DELETE(self):
        self.route("DELETE")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    args = ap.parse_args()
    STATE["token"] = args.token
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
