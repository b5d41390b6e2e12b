/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fuzz_unit_conf.h - the one unit config the stateful harnesses run
 * (pipeline: the generation the worker uses; rest: the running config the
 * handlers see): three zones and interfaces (IPv4 and IPv6, the dmz with
 * MTU 1280), static routes and neighbours, accept/drop/reject rules and
 * zone defaults with logging, and DNAT, full-NAT, UDP and IPv6 virtual
 * services with four schedulers.  tests/fuzz/mkseeds.py builds the packet
 * seeds against these addresses.
 */
#ifndef SK_FUZZ_UNIT_CONF_H
#define SK_FUZZ_UNIT_CONF_H

static const char fuzz_unit_conf[] =
	"dataplane = { lcores = \"0-1\"; workers = 1; hugepages = false; conn_max = 1024;\n"
	"  frag_max = 16; tcp_loose = false; health_tap = \"\"; };\n"
	"zones = ( \"outside\", \"inside\", \"dmz\" );\n"
	"interfaces = (\n"
	"  { name = \"outside\"; zone = \"outside\"; mac = \"02:00:00:00:00:01\"; mtu = 1500;\n"
	"    device = \"net_null0\"; ipv4 = [ \"203.0.113.1/24\" ]; ipv6 = [ \"2001:db8:ff::1/64\" ]; },\n"
	"  { name = \"inside\"; zone = \"inside\"; mac = \"02:00:00:00:00:02\"; mtu = 1500;\n"
	"    device = \"net_null1\"; ipv4 = [ \"10.10.0.1/24\" ]; ipv6 = [ \"2001:db8:10::1/64\" ]; },\n"
	"  { name = \"dmz\"; zone = \"dmz\"; mac = \"02:00:00:00:00:03\"; mtu = 1280;\n"
	"    device = \"net_null2\"; ipv4 = [ \"192.0.2.1/24\" ]; ipv6 = [ \"2001:db8:d::1/64\" ]; }\n"
	");\n"
	"routes = ( { dst = \"198.51.100.0/24\"; via = \"192.0.2.20\"; interface = \"dmz\"; },\n"
	"  { dst = \"2001:db8:99::/48\"; via = \"2001:db8:d::20\"; interface = \"dmz\"; } );\n"
	"neighbors = (\n"
	"  { interface = \"outside\"; ip = \"203.0.113.10\"; mac = \"02:00:00:00:0a:0a\"; },\n"
	"  { interface = \"outside\"; ip = \"2001:db8:ff::10\"; mac = \"02:00:00:00:0a:0a\"; },\n"
	"  { interface = \"inside\"; ip = \"10.10.0.11\"; mac = \"02:00:00:00:0b:0b\"; },\n"
	"  { interface = \"inside\"; ip = \"2001:db8:10::11\"; mac = \"02:00:00:00:0b:0b\"; },\n"
	"  { interface = \"dmz\"; ip = \"192.0.2.20\"; mac = \"02:00:00:00:0c:0c\"; },\n"
	"  { interface = \"dmz\"; ip = \"2001:db8:d::20\"; mac = \"02:00:00:00:0c:0c\"; }\n"
	");\n"
	"policy = {\n"
	"  default = \"drop\"; log_default = true;\n"
	"  zone_defaults = ( { from = \"inside\"; to = \"outside\"; action = \"accept\"; },\n"
	"    { from = \"dmz\"; to = \"outside\"; action = \"reject\"; } );\n"
	"  rules = (\n"
	"    { name = \"web-in\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";\n"
	"      dst = [ \"10.10.0.11/32\", \"2001:db8:10::/64\" ]; dport = [ \"80\", \"443\", \"8080\" ];\n"
	"      action = \"accept\"; log = true; },\n"
	"    { name = \"udp-in\"; from = \"outside\"; to = \"inside\"; proto = \"udp\";\n"
	"      dst = [ \"10.10.0.0/24\" ]; dport = [ \"9000\", \"5353\" ]; action = \"accept\"; },\n"
	"    { name = \"to-dmz\"; from = \"any\"; to = \"dmz\"; proto = \"any\"; action = \"accept\"; },\n"
	"    { name = \"telnet-reject\"; from = \"outside\"; to = \"inside\"; proto = \"tcp\";\n"
	"      dport = [ \"23\" ]; action = \"reject\"; },\n"
	"    { name = \"udp-reject\"; from = \"outside\"; to = \"inside\"; proto = \"udp\";\n"
	"      dport = [ \"5000\" ]; action = \"reject\"; },\n"
	"    { name = \"ping-fw\"; from = \"any\"; to = \"local\"; proto = \"icmp\"; icmp_type = 8;\n"
	"      action = \"accept\"; },\n"
	"    { name = \"ping6-fw\"; from = \"any\"; to = \"local\"; proto = \"icmpv6\"; icmp_type = 128;\n"
	"      action = \"accept\"; },\n"
	"    { name = \"ping-through\"; from = \"outside\"; to = \"inside\"; proto = \"icmp\";\n"
	"      action = \"accept\"; },\n"
	"    { name = \"drop-ssdp\"; proto = \"udp\"; dport = [ \"1900\" ]; action = \"drop\"; log = true; }\n"
	"  );\n"
	"};\n"
	"services = (\n"
	"  { name = \"web\"; vip = \"203.0.113.80\"; proto = \"tcp\"; port = \"80\"; scheduler = \"maglev\";\n"
	"    forward = \"dnat\"; health = { type = \"none\"; };\n"
	"    backends = ( { name = \"web1\"; address = \"10.10.0.11\"; port = 8080; } ); },\n"
	"  { name = \"web6\"; vip = \"2001:db8:ff::80\"; proto = \"tcp\"; port = \"80\"; scheduler = \"wlc\";\n"
	"    forward = \"dnat\"; health = { type = \"none\"; };\n"
	"    backends = ( { name = \"web1\"; address = \"2001:db8:10::11\"; port = 8080; } ); },\n"
	"  { name = \"dns\"; vip = \"203.0.113.80\"; proto = \"udp\"; port = \"53\"; scheduler = \"wrr\";\n"
	"    forward = \"dnat\"; health = { type = \"none\"; };\n"
	"    backends = ( { name = \"web1\"; address = \"10.10.0.11\"; port = 5353; } ); },\n"
	"  { name = \"full\"; vip = \"203.0.113.81\"; proto = \"tcp\"; port = \"80\"; scheduler = \"sh\";\n"
	"    forward = \"fullnat\"; snat = [ \"10.10.0.2\" ]; health = { type = \"none\"; };\n"
	"    backends = ( { name = \"web1\"; address = \"10.10.0.11\"; port = 8080; },\n"
	"                 { name = \"dmz1\"; address = \"192.0.2.20\"; port = 8080; } ); }\n"
	");\n";

#endif /* SK_FUZZ_UNIT_CONF_H */
