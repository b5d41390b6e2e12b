-- SPDX-License-Identifier: BSD-3-Clause
-- imix.lua - 1K established TCP flows with the simple IMIX 64/594/1518
-- (7:4:1) on three pktgen sequences, as pcapgen.IMIX.
package.path = package.path .. ";perf/pktgen/?.lua"
local c = require("common")
local p = c.tx_port
local seq = 0
for _, sz in ipairs({64, 64, 64, 64, 64, 64, 64, 594, 594, 594, 594, 1518}) do
	pktgen.seqTable(seq, p, {
		["eth_dst_addr"] = c.dst_mac, ["ip_src_addr"] = string.format("10.254.0.%d/16", seq),
		["ip_dst_addr"] = c.dst_ip, ["sport"] = 1024 + seq, ["dport"] = 80,
		["ethType"] = "ipv4", ["ipProto"] = "tcp", ["tcp_flags"] = "ack", ["pktSize"] = sz,
	})
	seq = seq + 1
end
pktgen.set(p, "seq_cnt", seq)
pktgen.start(p)
pktgen.delay(2000)
pktgen.stop(p)
c.measure("imix")
