-- SPDX-License-Identifier: BSD-3-Clause
-- common.lua - shared settings for the Sekisho pktgen profiles.
-- Port 0 faces the appliance's "outside" interface, port 1 its "inside"
-- interface (the same layout as perf/gen_config.py).  Edit the MACs for two
-- real hosts: dst_mac = the appliance port's MAC.
local M = {}
M.tx_port = "0"
M.rx_port = "1"
M.dst_mac = "02:00:00:00:10:01"   -- sekisho "outside" (gen_config.MAC_DP_OUT)
M.src_ip = "10.254.0.0"           -- clients 10.254.0.0/16
M.dst_ip = "10.253.0.1"           -- servers 10.253.0.0/16
M.duration_ms = tonumber(os.getenv("DURATION_MS") or "10000")

-- Run traffic for duration_ms and print what came back, in the harness' units.
function M.measure(name)
	pktgen.clr()
	pktgen.start(M.tx_port)
	pktgen.delay(M.duration_ms)
	pktgen.stop(M.tx_port)
	pktgen.delay(500)
	local st = pktgen.portStats("all", "port")
	local tx = st[tonumber(M.tx_port)].opackets
	local rx = st[tonumber(M.rx_port)].ipackets
	print(string.format("%s: tx %d rx %d in %d ms: %.3f Mpps in, %.3f Mpps out", name, tx, rx,
	       M.duration_ms, tx / M.duration_ms / 1000, rx / M.duration_ms / 1000))
	-- perf/lab.py reads the figures from here (the screen is a vt100 page)
	local out = os.getenv("PKTGEN_RESULT")
	if out then
		local f = io.open(out, "w")
		f:write(string.format('{"name": "%s", "tx": %d, "rx": %d, "ms": %d}\n', name, tx, rx, M.duration_ms))
		f:close()
	end
	if os.getenv("PKTGEN_QUIT") then
		pktgen.quit()
	end
end

-- Vary the client (source address, source port) over `flows` flows:
-- flow i = 10.254.0.0 + (i >> 10), sport 1024 + (i & 1023), as pcapgen.py.
function M.flows(flows)
	local p = M.tx_port
	local hosts = math.max(1, math.floor((flows + 1023) / 1024))
	pktgen.range.src_ip(p, "start", M.src_ip)
	pktgen.range.src_ip(p, "inc", "0.0.0.1")
	pktgen.range.src_ip(p, "min", M.src_ip)
	pktgen.range.src_ip(p, "max", string.format("10.254.%d.%d", math.floor((hosts - 1) / 256), (hosts - 1) % 256))
	pktgen.range.src_port(p, "start", 1024)
	pktgen.range.src_port(p, "inc", 1)
	pktgen.range.src_port(p, "min", 1024)
	pktgen.range.src_port(p, "max", 1024 + math.min(flows, 1024) - 1)
	pktgen.range.dst_ip(p, "start", M.dst_ip)
	pktgen.range.dst_ip(p, "inc", "0.0.0.0")
	pktgen.range.dst_ip(p, "min", M.dst_ip)
	pktgen.range.dst_ip(p, "max", M.dst_ip)
	pktgen.range.dst_mac(p, "start", M.dst_mac)
	pktgen.set_range(p, "on")
end

return M
