-- SPDX-License-Identifier: BSD-3-Clause
-- synflood.lua - every packet a new connection: TCP SYNs to 10.253.0.1:80
-- from 10.254.0.0/16 x source ports 1024-65535.  Both fields step once per
-- packet (65536 x 64512 values, gcd 1024): 4,128,768 distinct tuples before
-- the pairs repeat.  PKTS (env, default 1000000) SYNs in all, sent in
-- rounds of one mbuf pool each (common.lua): within a start pktgen would
-- resend the same 24576 packets, which after the first pass are no longer
-- new connections.  DURATION_MS caps the time.  Pair with gen_config.py
-- --rules 10/1000/10000/100000.
package.path = package.path .. ";" .. (os.getenv("SK_PKTGEN_DIR") or "perf/pktgen") .. "/?.lua"
local c = require("common")
local p = c.tx_port
local pkts = tonumber(os.getenv("PKTS") or "1000000")
c.range_tuples(65536, 64512, 80)
-- pktgen 23.06 has no Lua call for the range's TCP flags (no
-- pktgen.range.tcp_flags); the CLI command sets them.
c.cli({"range " .. p .. " tcp flag clr all", "range " .. p .. " tcp flag set syn"})
c.measure("synflood", true, pkts)
