-- SPDX-License-Identifier: BSD-3-Clause
-- established.lua - N established TCP flows, 64 B (FLOWS env: 1000, 100000,
-- 1000000).  The appliance runs with tcp_loose = true so the first ACK of
-- each flow opens it (perf/gen_config.py --tcp-loose); after the first pass
-- of the range every packet is an established hit.  TCP flags: the range
-- packet starts with ACK (pktgen's DEFAULT_TCP_FLAGS); set explicitly anyway.
-- WARMUP_MS (default 2000) runs before the measured DURATION_MS.
package.path = package.path .. ";" .. (os.getenv("SK_PKTGEN_DIR") or "perf/pktgen") .. "/?.lua"
local c = require("common")
local flows = tonumber(os.getenv("FLOWS") or "1000")
local p = c.tx_port
c.flows(flows, 80)
c.cli({"range " .. p .. " tcp flag clr all", "range " .. p .. " tcp flag set ack"})
-- More flows than one pool of packets: one start per pool (common.lua).
local rounds = flows > c.POOL
-- warm-up pass: every flow gets its connection
c.send(tonumber(os.getenv("WARMUP_MS") or "2000"), rounds)
c.measure(string.format("established-%d", flows), rounds)
