-- SPDX-License-Identifier: BSD-3-Clause
-- synflood.lua - every packet a new connection: TCP SYNs to 10.253.0.1:80
-- from 10.254.0.0/16 x 1024-65535 source ports (64M tuples: at 10 Mpps
-- the range wraps after ~6 s, so keep duration_ms below that or grow the
-- range).  Pair with gen_config.py --rules 10/1000/10000/100000.
package.path = package.path .. ";perf/pktgen/?.lua"
local c = require("common")
local p = c.tx_port
pktgen.set_proto(p, "tcp")
pktgen.range.tcp_flags(p, "syn")
pktgen.range.dst_port(p, "start", 80)
pktgen.range.dst_port(p, "inc", 0)
pktgen.range.dst_port(p, "min", 80)
pktgen.range.dst_port(p, "max", 80)
pktgen.range.pkt_size(p, "start", 64)
pktgen.range.src_ip(p, "start", "10.254.0.0")
pktgen.range.src_ip(p, "inc", "0.0.0.1")
pktgen.range.src_ip(p, "min", "10.254.0.0")
pktgen.range.src_ip(p, "max", "10.254.255.255")
pktgen.range.src_port(p, "start", 1024)
pktgen.range.src_port(p, "inc", 1)
pktgen.range.src_port(p, "min", 1024)
pktgen.range.src_port(p, "max", 65535)
pktgen.range.dst_ip(p, "start", c.dst_ip)
pktgen.range.dst_ip(p, "inc", "0.0.0.0")
pktgen.range.dst_mac(p, "start", c.dst_mac)
pktgen.set_range(p, "on")
c.duration_ms = 5000
c.measure("synflood")
