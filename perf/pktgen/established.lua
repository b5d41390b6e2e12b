-- SPDX-License-Identifier: BSD-3-Clause
-- established.lua - N established TCP flows, 64 B (FLOWS env: 1000, 100000,
-- 1000000).  The appliance runs with tcp_loose = true so the first ACK of
-- each flow opens it (perf/gen_config.py --tcp-loose); after the first pass
-- of the range every packet is an established hit.
package.path = package.path .. ";perf/pktgen/?.lua"
local c = require("common")
local flows = tonumber(os.getenv("FLOWS") or "1000")
local p = c.tx_port
pktgen.set_proto(p, "tcp")
-- TCP flags: pktgen 23.x has no Lua call for the range's flags; the range
-- packet takes the single packet's, ACK by default (DEFAULT_TCP_FLAGS).
pktgen.range.dst_port(p, "start", 80)
pktgen.range.dst_port(p, "inc", 0)
pktgen.range.dst_port(p, "min", 80)
pktgen.range.dst_port(p, "max", 80)
pktgen.range.pkt_size(p, "start", 64)
c.flows(flows)
-- warm-up pass: every flow gets its connection
pktgen.start(p)
pktgen.delay(2000)
pktgen.stop(p)
c.measure(string.format("established-%d", flows))
