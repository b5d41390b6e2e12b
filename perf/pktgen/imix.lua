-- SPDX-License-Identifier: BSD-3-Clause
-- imix.lua - the simple IMIX 64/594/1518 B (7:4:1) over 1K established TCP
-- flows, replayed from a pcap: start pktgen with -s 0:imix.pcap, the file
-- perf/pcapgen.py writes for the memif path (perf/lab.py passes it), so
-- both generators send the same packets.  tcp_loose opens each flow on its
-- first ACK; the warm-up (WARMUP_MS, default 2000) runs before the measured
-- DURATION_MS.  pktgen repeats a short pcap to fill its pool (24 copies of
-- 1000 packets) and loops over the pool: every packet after the first pass
-- is an established hit, as with testpmd's infinite_rx.
-- (An earlier version used a 12-entry pktgen sequence: on 23.06.1 only
-- entry 0 got its fields; see docs/perf.md.)
package.path = package.path .. ";" .. (os.getenv("SK_PKTGEN_DIR") or "perf/pktgen") .. "/?.lua"
local c = require("common")
c.pcap()
c.send(tonumber(os.getenv("WARMUP_MS") or "2000"))
c.measure("imix")
