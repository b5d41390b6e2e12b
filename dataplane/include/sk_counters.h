/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_counters.h - the dataplane's per-lcore scalar counters, in one list.
 *
 * Each lcore's struct sk_stats_lcore (dataplane/stats), their sum, the
 * telemetry /sekisho/stats dictionary and the --stats-file JSON (same key,
 * same order), and the Prometheus metrics of control/rest all come from
 * SK_COUNTER_LIST, so a counter cannot be added to one and forgotten in
 * another.  X(field, metric, help): field is the C field and the key in
 * telemetry and JSON; metric is the Prometheus name (NULL: not exported as a
 * metric); help says what is counted.  Drop reasons (sk_drop.h) and local
 * packet kinds (SK_LOCAL_LIST) have lists of their own.
 */
#ifndef SK_COUNTERS_H
#define SK_COUNTERS_H

#define SK_COUNTER_LIST(X) \
	X(forwarded,        "sekisho_forwarded_packets_total", \
	  "Packets forwarded (handed to a TX queue).") \
	X(consumed,         "sekisho_consumed_packets_total", \
	  "Packets taken by the unit itself (ARP/ND, echo requests).") \
	X(default_pkts,     "sekisho_policy_default_packets_total", \
	  "New flows decided by a zone-pair or policy default rather than a rule.") \
	X(frag_reassembled, "sekisho_frag_reassembled_total", \
	  "Datagrams reassembled from fragments.") \
	X(frag_fragmented,  "sekisho_frag_fragmented_total", \
	  "Fragments produced to fit an egress MTU.") \
	X(frag_merged,      "sekisho_frag_merged_total", \
	  "Fragments absorbed into a reassembled datagram (all but one per datagram).") \
	X(handoff_out,      NULL, \
	  "Packets handed to the worker that owns their flow (wlb.h).") \
	X(handoff_in,       NULL, \
	  "Packets taken over from other workers.") \
	X(handoff_readmit,  NULL, \
	  "Of handoff_in: admitted again, the sender ran another generation (a commit).") \
	X(tap_in,           NULL, \
	  "Packets the unit's kernel sent through the health-check tap.") \
	X(tap_out,          NULL, \
	  "Health-check replies given to the kernel.") \
	X(tap_dropped,      NULL, \
	  "Of tap_in: not the unit's own routable IP packets.") \
	X(busy_cycles,      "sekisho_busy_cycles_total", \
	  "TSC cycles workers spent on non-empty bursts.") \
	X(busy_pkts,        "sekisho_busy_packets_total", \
	  "Packets in those bursts (busy_cycles / busy_packets = cycles per packet).")

#endif /* SK_COUNTERS_H */
