-- SPDX-License-Identifier: BSD-3-Clause
-- common.lua - shared settings and helpers for the Sekisho pktgen profiles
-- (pktgen-DPDK 23.06.1; perf/lab.py drives them with --generator pktgen).
-- Port 0 faces the appliance's "outside" interface, port 1 its "inside"
-- interface (the layout of perf/gen_config.py).  Edit the MACs for two real
-- hosts: dst_mac = the appliance port's MAC.
--
-- Environment (all optional):
--   DURATION_MS     measured send time (default 10000)
--   PKTGEN_RESULT   write {"name","tx","rx","ms"} there as JSON at the end
--   PKTGEN_MARK     write "start" / "stop" there around the measured phase
--                   (perf/lab.py reads the DUT's counters in between)
--   PKTGEN_QUIT     quit pktgen when the profile is done
local M = {}
M.tx_port = "0"
M.rx_port = "1"
M.dst_mac = "02:00:00:00:10:01"   -- sekisho "outside" (gen_config.MAC_DP_OUT)
M.src_mac = "02:00:00:00:10:02"   -- generator port 0 (gen_config.MAC_GEN_OUT)
M.src_ip = "10.254.0.0"           -- clients 10.254.0.0/16
M.dst_ip = "10.253.0.1"           -- servers 10.253.0.0/16
M.duration_ms = tonumber(os.getenv("DURATION_MS") or "10000")
-- pktgen 23.06 builds range and sequence packets once per mbuf of the
-- port's pool (MAX_MBUFS_PER_PORT = 24576) when a port starts, and then
-- sends that pool over and over: one start shows at most 24576 distinct
-- packets.  More flows (or a SYN flood) need one start per 24576 packets
-- ("rounds", below); each start rebuilds the pool from where the range
-- stopped.
M.POOL = 24576
M.sent_ms = 0

local function gcd(a, b)
	while b ~= 0 do a, b = b, a % b end
	return a
end

-- Run CLI commands (the Lua API of 23.06 lacks some, e.g. range TCP flags).
function M.cli(lines)
	local path = os.tmpname()
	local f = io.open(path, "w")
	f:write(table.concat(lines, "\n") .. "\n")
	f:close()
	pktgen.load(path)
	os.remove(path)
end

function M.mark(state)
	local path = os.getenv("PKTGEN_MARK")
	if path then
		local f = io.open(path, "w")
		f:write(state .. "\n")
		f:close()
	end
end

local function sending(p)
	return pktgen.isSending(p)[tonumber(p)] == "y"
end

-- Send for ms milliseconds.  rounds: one start per pool of packets, so
-- that every packet sent is a different one of the range (no repeats until
-- the range wraps).  max_pkts stops early (rounds only).  Returns packets
-- asked for (rounds) or nil.
function M.send(ms, rounds, max_pkts)
	local p = M.tx_port
	if not rounds then
		pktgen.set(p, "count", 0)
		pktgen.start(p)
		pktgen.delay(ms)
		pktgen.stop(p)
		M.sent_ms = ms
		return nil
	end
	local t, asked = 0, 0
	while t < ms and (not max_pkts or asked < max_pkts) do
		local n = M.POOL
		if max_pkts then n = math.min(n, max_pkts - asked) end
		pktgen.set(p, "count", n)
		pktgen.start(p)
		asked = asked + n
		repeat
			pktgen.delay(2)
			t = t + 2
		until not sending(p) or t >= ms + 60000
	end
	pktgen.stop(p)
	pktgen.set(p, "count", 0)
	M.sent_ms = t
	return asked
end

-- Send exactly n packets with one start (count = n), capped at ms.  With
-- the pcap of pktgen -s in a pool of its own (one mbuf per packet of the
-- file, filled in file order, a FIFO ring without a per-lcore cache) and n
-- = the file's packet count, that is one pass over the file in its order:
-- pktgen retries what the PMD refuses instead of dropping it.
function M.send_count(n, ms)
	local p = M.tx_port
	pktgen.set(p, "count", n)
	pktgen.start(p)
	local t = 0
	repeat
		pktgen.delay(2)
		t = t + 2
	until not sending(p) or t >= ms
	pktgen.stop(p)
	pktgen.set(p, "count", 0)
	M.sent_ms = t
	return n
end

-- Replay the pcap given on pktgen's command line (-s 0:FILE, as perf/lab.py
-- does; perf/pcapgen.py writes the files): the packets go out as they are
-- in the file (MACs, sizes, flags), no range or sequence is applied.
function M.pcap()
	pktgen.pcap(M.tx_port, "on")
end

-- Run traffic (M.send, or M.send_count when once) and report what came
-- back, in the harness' units.
function M.measure(name, rounds, max_pkts, once)
	pktgen.clr()
	pktgen.delay(200)
	M.mark("start")
	if once then
		M.send_count(max_pkts, M.duration_ms)
	else
		M.send(M.duration_ms, rounds, max_pkts)
	end
	pktgen.delay(500)
	M.mark("stop")
	local st = pktgen.portStats("all", "port")
	local tx = st[tonumber(M.tx_port)].opackets
	local rx = st[tonumber(M.rx_port)].ipackets
	local ms = M.sent_ms
	print(string.format("%s: tx %d rx %d in %d ms: %.3f Mpps in, %.3f Mpps out", name, tx, rx,
	       ms, tx / ms / 1000, rx / ms / 1000))
	-- perf/lab.py reads the figures from here (the screen is a vt100 page)
	local out = os.getenv("PKTGEN_RESULT")
	if out then
		local f = io.open(out, "w")
		f:write(string.format('{"name": "%s", "tx": %d, "rx": %d, "ms": %d}\n', name, tx, rx, ms))
		f:close()
	end
	if os.getenv("PKTGEN_QUIT") then
		pktgen.quit()
	end
end

-- Vary the client over `flows` flows: source address in 10.254.0.0/16,
-- source port from 1024, server 10.253.0.1.  pktgen steps every range field
-- once per packet (it cannot carry one field into the next as pcapgen.py's
-- i >> 10 / i & 1023 does), so the flow count is split into H hosts x P
-- ports with gcd(H, P) = 1: the pairs then repeat only after H * P = flows
-- packets.  Same networks and flow count as pcapgen.py, other pairs.
function M.flows(flows, dport)
	local p = M.tx_port
	local hosts = 1
	while not (flows % hosts == 0 and gcd(hosts, flows // hosts) == 1 and flows // hosts <= 64512) do
		hosts = hosts + 1
		if hosts > 65536 then error("no host x port split for " .. flows .. " flows") end
	end
	local ports = flows // hosts
	M.range_tuples(hosts, ports, dport or 80)
	return hosts, ports
end

function M.range_tuples(hosts, ports, dport)
	local p = M.tx_port
	pktgen.set_proto(p, "tcp")
	pktgen.range.src_ip(p, "start", M.src_ip)
	pktgen.range.src_ip(p, "inc", hosts > 1 and "0.0.0.1" or "0.0.0.0")
	pktgen.range.src_ip(p, "min", M.src_ip)
	pktgen.range.src_ip(p, "max", string.format("10.254.%d.%d", (hosts - 1) // 256, (hosts - 1) % 256))
	pktgen.range.src_port(p, "start", 1024)
	pktgen.range.src_port(p, "inc", ports > 1 and 1 or 0)
	pktgen.range.src_port(p, "min", 1024)
	pktgen.range.src_port(p, "max", 1024 + ports - 1)
	pktgen.range.dst_ip(p, "start", M.dst_ip)
	pktgen.range.dst_ip(p, "inc", "0.0.0.0")
	pktgen.range.dst_ip(p, "min", M.dst_ip)
	pktgen.range.dst_ip(p, "max", M.dst_ip)
	pktgen.range.dst_port(p, "start", dport)
	pktgen.range.dst_port(p, "inc", 0)
	pktgen.range.dst_port(p, "min", dport)
	pktgen.range.dst_port(p, "max", dport)
	pktgen.range.dst_mac(p, "start", M.dst_mac)
	pktgen.range.src_mac(p, "start", M.src_mac)
	pktgen.range.pkt_size(p, "start", 64)
	pktgen.range.pkt_size(p, "inc", 0)
	pktgen.set_range(p, "on")
end

return M
