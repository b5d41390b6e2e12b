-- SPDX-License-Identifier: BSD-3-Clause
-- mix.lua - the mix scenario: 10K ACKs that open the established set
-- (tcp_loose), then 80 % ACKs on it, 15 % SYNs of new flows, 5 % SYNs to the
-- denied port 23, replayed from the pcap perf/pcapgen.py writes (pktgen -s
-- 0:mix.pcap; perf/lab.py passes it).  One pass, as in the memif path:
-- PKTS (env) must be the file's packet count; one start of exactly PKTS
-- packets sends the file once, in order (common.lua M.send_count), so every
-- SYN is a new connection.  A pktgen loop over the file would not be: after
-- the first pass its SYNs hit existing connections (and the denied SYNs are
-- denied again), so no looping here.  DURATION_MS caps the time.
package.path = package.path .. ";" .. (os.getenv("SK_PKTGEN_DIR") or "perf/pktgen") .. "/?.lua"
local c = require("common")
local pkts = tonumber(os.getenv("PKTS") or error("mix.lua: PKTS (the pcap's packet count) not set"))
c.pcap()
c.measure("mix", false, pkts, true)
