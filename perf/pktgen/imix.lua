-- SPDX-License-Identifier: BSD-3-Clause
-- imix.lua - the simple IMIX 64/594/1518 B in the exact ratio 7:4:1 as a
-- pktgen sequence of 12 packets (pcapgen.IMIX draws the same mix at random
-- over 1K flows).  pktgen 23.06 has no IMIX mode and range packets have one
-- size at a time (a size range steps through every size), so a sequence is
-- the only exact 7:4:1; it has at most 16 entries, so this is 12 established
-- TCP ACK flows (one per entry), not 1K.  tcp_loose opens them on the first
-- packet.  Sequence packets take the port's default TCP flags (ACK).
package.path = package.path .. ";" .. (os.getenv("SK_PKTGEN_DIR") or "perf/pktgen") .. "/?.lua"
local c = require("common")
local p = c.tx_port
local seq = 0
for _, sz in ipairs({64, 594, 64, 64, 594, 64, 1518, 64, 594, 64, 64, 594}) do
	pktgen.seqTable(seq, p, {
		["eth_dst_addr"] = c.dst_mac, ["eth_src_addr"] = c.src_mac,
		["ip_src_addr"] = string.format("10.254.0.%d/16", seq),
		["ip_dst_addr"] = c.dst_ip, ["sport"] = 1024 + seq, ["dport"] = 80,
		["ethType"] = "ipv4", ["ipProto"] = "tcp", ["vlanid"] = 1, ["pktSize"] = sz,
		["gtpu_teid"] = 0, ["cos"] = 0, ["tos"] = 0,
	})
	seq = seq + 1
end
pktgen.set(p, "seq_cnt", seq)
pktgen.start(p)
pktgen.delay(tonumber(os.getenv("WARMUP_MS") or "2000"))
pktgen.stop(p)
c.measure("imix")
