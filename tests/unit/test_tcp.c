/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_tcp.c - the TCP state machine (sk_conn_tcp_next) and the timeout
 * chosen per state, table-driven.  Pure functions: no EAL.
 */
#include <netinet/in.h>
#include <string.h>

#include "conn/conn.h"
#include "sk_test.h"

#define F RTE_TCP_FIN_FLAG
#define S RTE_TCP_SYN_FLAG
#define R RTE_TCP_RST_FLAG
#define P RTE_TCP_PSH_FLAG
#define A RTE_TCP_ACK_FLAG

#define O SK_DIR_ORIG
#define Y SK_DIR_REPLY

#define INVALID (-1)

struct row {
	enum sk_tcp_state st;
	uint8_t flags;
	enum sk_conn_dir dir;
	enum sk_conn_dir first_fin;
	int expect;
	const char *what;
};

static const struct row rows[] = {
	/* creation: SYN, or loose pickup of anything else */
	{ SK_TCP_NONE, S, O, O, SK_TCP_SYN_SENT, "SYN creates syn_sent" },
	{ SK_TCP_NONE, A, O, O, SK_TCP_ESTABLISHED, "loose pickup of an ACK" },
	{ SK_TCP_NONE, P | A, O, O, SK_TCP_ESTABLISHED, "loose pickup of data" },
	{ SK_TCP_NONE, S | A, O, O, SK_TCP_ESTABLISHED, "loose pickup of a SYN+ACK" },
	{ SK_TCP_NONE, F | A, O, O, SK_TCP_ESTABLISHED, "loose pickup of a FIN" },
	{ SK_TCP_NONE, R, O, O, SK_TCP_CLOSED, "loose pickup of a RST" },
	{ SK_TCP_NONE, S, Y, O, INVALID, "no first packet from the reply side" },

	/* three-way handshake */
	{ SK_TCP_SYN_SENT, S, O, O, SK_TCP_SYN_SENT, "SYN retransmit" },
	{ SK_TCP_SYN_SENT, S | A, Y, O, SK_TCP_SYN_RECV, "SYN+ACK from reply" },
	{ SK_TCP_SYN_RECV, A, O, O, SK_TCP_ESTABLISHED, "client ACK completes handshake" },
	{ SK_TCP_SYN_RECV, P | A, O, O, SK_TCP_ESTABLISHED, "client data with ACK completes" },
	{ SK_TCP_SYN_RECV, F | A, O, O, SK_TCP_FIN_WAIT, "client FIN right after handshake" },
	{ SK_TCP_SYN_RECV, S | A, Y, O, SK_TCP_SYN_RECV, "SYN+ACK retransmit in syn_recv" },
	{ SK_TCP_SYN_RECV, S, O, O, SK_TCP_SYN_RECV, "SYN retransmit in syn_recv" },

	/* simultaneous open */
	{ SK_TCP_SYN_SENT, S, Y, O, SK_TCP_SYN_RECV, "simultaneous open: SYN from reply" },
	{ SK_TCP_SYN_RECV, S, Y, O, SK_TCP_SYN_RECV, "simultaneous open: reply SYN again" },

	/* established */
	{ SK_TCP_ESTABLISHED, A, O, O, SK_TCP_ESTABLISHED, "ACK from orig" },
	{ SK_TCP_ESTABLISHED, A, Y, O, SK_TCP_ESTABLISHED, "ACK from reply" },
	{ SK_TCP_ESTABLISHED, P | A, O, O, SK_TCP_ESTABLISHED, "data from orig" },
	{ SK_TCP_ESTABLISHED, P | A, Y, O, SK_TCP_ESTABLISHED, "data from reply" },
	{ SK_TCP_ESTABLISHED, S | A, Y, O, SK_TCP_ESTABLISHED, "server repeats SYN+ACK (lost ACK)" },

	/* teardown, originator closes first */
	{ SK_TCP_ESTABLISHED, F | A, O, O, SK_TCP_FIN_WAIT, "first FIN from orig" },
	{ SK_TCP_FIN_WAIT, A, Y, O, SK_TCP_FIN_WAIT, "reply ACKs the FIN" },
	{ SK_TCP_FIN_WAIT, P | A, Y, O, SK_TCP_FIN_WAIT, "half-closed: reply still sends" },
	{ SK_TCP_FIN_WAIT, F | A, O, O, SK_TCP_FIN_WAIT, "orig FIN retransmit" },
	{ SK_TCP_FIN_WAIT, F | A, Y, O, SK_TCP_LAST_ACK, "second FIN from reply" },
	{ SK_TCP_LAST_ACK, A, O, O, SK_TCP_TIME_WAIT, "orig ACKs the second FIN" },
	{ SK_TCP_LAST_ACK, A, Y, O, SK_TCP_LAST_ACK, "ACK from the second closer does not close" },
	{ SK_TCP_LAST_ACK, F | A, O, O, SK_TCP_LAST_ACK, "FIN retransmit in last_ack (orig)" },
	{ SK_TCP_LAST_ACK, F | A, Y, O, SK_TCP_LAST_ACK, "FIN retransmit in last_ack (reply)" },

	/* teardown, reply side closes first */
	{ SK_TCP_ESTABLISHED, F | A, Y, O, SK_TCP_CLOSE_WAIT, "first FIN from reply" },
	{ SK_TCP_CLOSE_WAIT, P | A, O, Y, SK_TCP_CLOSE_WAIT, "half-closed: orig still sends" },
	{ SK_TCP_CLOSE_WAIT, F | A, Y, Y, SK_TCP_CLOSE_WAIT, "reply FIN retransmit" },
	{ SK_TCP_CLOSE_WAIT, F | A, O, Y, SK_TCP_LAST_ACK, "second FIN from orig" },
	{ SK_TCP_LAST_ACK, A, Y, Y, SK_TCP_TIME_WAIT, "reply ACKs the second FIN" },
	{ SK_TCP_LAST_ACK, A, O, Y, SK_TCP_LAST_ACK, "orig ACK (second closer) does not close" },

	/* time_wait */
	{ SK_TCP_TIME_WAIT, A, O, O, SK_TCP_TIME_WAIT, "late ACK in time_wait" },
	{ SK_TCP_TIME_WAIT, F | A, Y, O, SK_TCP_TIME_WAIT, "late FIN in time_wait" },

	/* port reuse */
	{ SK_TCP_TIME_WAIT, S, O, O, SK_TCP_SYN_SENT, "new SYN on time_wait restarts" },
	{ SK_TCP_CLOSED, S, O, O, SK_TCP_SYN_SENT, "new SYN on closed restarts" },

	/* invalid: ACK/data/FIN before the handshake allows it */
	{ SK_TCP_SYN_SENT, A, O, O, INVALID, "orig ACK with no SYN+ACK seen" },
	{ SK_TCP_SYN_SENT, P | A, O, O, INVALID, "orig data in syn_sent" },
	{ SK_TCP_SYN_SENT, A, Y, O, SK_TCP_SYN_SENT,
	  "reply bare ACK in syn_sent passes (peer's stale TIME_WAIT: the client resets it)" },
	{ SK_TCP_SYN_SENT, P | A, Y, O, INVALID, "reply data in syn_sent" },
	{ SK_TCP_SYN_SENT, F | A, O, O, INVALID, "orig FIN in syn_sent" },
	{ SK_TCP_SYN_SENT, F | A, Y, O, INVALID, "reply FIN in syn_sent" },
	{ SK_TCP_SYN_RECV, A, Y, O, INVALID, "reply ACK before client ACK" },
	{ SK_TCP_SYN_RECV, P | A, Y, O, INVALID, "reply data before client ACK" },
	{ SK_TCP_SYN_RECV, F | A, Y, O, INVALID, "reply FIN before client ACK" },
	/* invalid: SYN where no handshake can be */
	{ SK_TCP_ESTABLISHED, S, O, O, INVALID, "SYN from orig in established" },
	{ SK_TCP_ESTABLISHED, S, Y, O, INVALID, "SYN from reply in established" },
	{ SK_TCP_FIN_WAIT, S, O, O, INVALID, "SYN in fin_wait" },
	{ SK_TCP_FIN_WAIT, S | A, Y, O, INVALID, "SYN+ACK from reply in fin_wait" },
	{ SK_TCP_CLOSE_WAIT, S, Y, Y, INVALID, "SYN in close_wait" },
	{ SK_TCP_LAST_ACK, S, O, O, INVALID, "SYN in last_ack" },
	{ SK_TCP_TIME_WAIT, S, Y, O, INVALID, "SYN from the server on time_wait" },
	{ SK_TCP_TIME_WAIT, S | A, Y, O, INVALID, "SYN+ACK on time_wait" },
	/* invalid: anything but SYN/RST in closed */
	{ SK_TCP_CLOSED, A, O, O, INVALID, "ACK from orig in closed" },
	{ SK_TCP_CLOSED, A, Y, O, INVALID, "ACK from reply in closed" },
	{ SK_TCP_CLOSED, P | A, O, O, INVALID, "data in closed" },
	{ SK_TCP_CLOSED, F | A, O, O, INVALID, "FIN from orig in closed" },
	{ SK_TCP_CLOSED, F | A, Y, O, INVALID, "FIN from reply in closed" },
	{ SK_TCP_CLOSED, S | A, Y, O, INVALID, "SYN+ACK in closed" },
	{ SK_TCP_CLOSED, S, Y, O, INVALID, "SYN from the server on closed" },
};

static void
test_rows(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		int got = sk_conn_tcp_next(r->st, r->flags, r->dir, r->first_fin);
		SK_CHECK(got == r->expect, "%s: %s -> %s (got %s)", r->what,
			 sk_conn_tcp_state_name(r->st),
			 r->expect < 0 ? "invalid" : sk_conn_tcp_state_name(r->expect),
			 got < 0 ? "invalid" : sk_conn_tcp_state_name(got));
	}
}

/* RST closes from every state, either side, with or without ACK. */
static void
test_rst(void)
{
	int bad = 0, n = 0;

	for (int st = SK_TCP_SYN_SENT; st < SK_TCP__MAX; st++)
		for (int d = 0; d < 2; d++)
			for (int ack = 0; ack < 2; ack++) {
				uint8_t fl = R | (ack ? A : 0);
				n++;
				if (sk_conn_tcp_next(st, fl, d, O) != SK_TCP_CLOSED ||
				    sk_conn_tcp_next(st, fl, d, Y) != SK_TCP_CLOSED)
					bad++;
			}
	SK_CHECK(bad == 0 && n == 32, "RST -> closed in every state/direction (%d bad of %d)", bad, n);
}

/* SYN+ACK from the originator is invalid once the connection exists. */
static void
test_orig_synack(void)
{
	for (int st = SK_TCP_SYN_SENT; st < SK_TCP__MAX; st++)
		SK_CHECK(sk_conn_tcp_next(st, S | A, O, O) == INVALID &&
			 sk_conn_tcp_next(st, S | A, O, Y) == INVALID,
			 "SYN+ACK from orig invalid in %s", sk_conn_tcp_state_name(st));
}

struct step {
	uint8_t flags;
	enum sk_conn_dir dir;
	int expect;
};

/* Walk a whole conversation, tracking the first FIN the way sk_conn_update does. */
static void
run_seq(const char *what, const struct step *s, size_t n)
{
	enum sk_tcp_state st = SK_TCP_NONE;
	int fin_seen = 0;
	enum sk_conn_dir first = O;
	size_t i;

	for (i = 0; i < n; i++) {
		int nx = sk_conn_tcp_next(st, s[i].flags, s[i].dir, first);
		if (nx != s[i].expect)
			break;
		if (nx < 0)
			continue;
		if ((s[i].flags & F) && !fin_seen) {
			fin_seen = 1;
			first = s[i].dir;
		}
		st = nx;
	}
	SK_CHECK(i == n, "%s: sequence (stopped at step %zu of %zu)", what, i, n);
}

static void
test_sequences(void)
{
	static const struct step open_close[] = {
		{ S, O, SK_TCP_SYN_SENT }, { S, O, SK_TCP_SYN_SENT },
		{ S | A, Y, SK_TCP_SYN_RECV }, { A, O, SK_TCP_ESTABLISHED },
		{ P | A, O, SK_TCP_ESTABLISHED }, { P | A, Y, SK_TCP_ESTABLISHED },
		{ F | A, O, SK_TCP_FIN_WAIT }, { A, Y, SK_TCP_FIN_WAIT },
		{ F | A, Y, SK_TCP_LAST_ACK }, { A, O, SK_TCP_TIME_WAIT },
		{ S, O, SK_TCP_SYN_SENT },
	};
	static const struct step server_closes[] = {
		{ S, O, SK_TCP_SYN_SENT }, { S | A, Y, SK_TCP_SYN_RECV },
		{ A, O, SK_TCP_ESTABLISHED }, { F | A, Y, SK_TCP_CLOSE_WAIT },
		{ F | A, O, SK_TCP_LAST_ACK }, { A, O, SK_TCP_LAST_ACK },
		{ A, Y, SK_TCP_TIME_WAIT },
	};
	static const struct step simultaneous[] = {
		{ S, O, SK_TCP_SYN_SENT }, { S, Y, SK_TCP_SYN_RECV },
		{ S | A, O, INVALID }, { S | A, Y, SK_TCP_SYN_RECV },
		{ A, O, SK_TCP_ESTABLISHED }, { A, Y, SK_TCP_ESTABLISHED },
	};
	static const struct step reset[] = {
		{ S, O, SK_TCP_SYN_SENT }, { R | A, Y, SK_TCP_CLOSED },
		{ A, O, INVALID }, { S, O, SK_TCP_SYN_SENT },
	};
	run_seq("open, orig closes, port reuse", open_close, RTE_DIM(open_close));
	run_seq("server closes first", server_closes, RTE_DIM(server_closes));
	run_seq("simultaneous open", simultaneous, RTE_DIM(simultaneous));
	run_seq("refused with RST, then retried", reset, RTE_DIM(reset));
}

static void
test_timeouts(void)
{
	static const struct {
		uint8_t proto, state;
		enum sk_timeout expect;
	} t[] = {
		{ IPPROTO_TCP, SK_TCP_SYN_SENT, SK_TMO_TCP_SYN },
		{ IPPROTO_TCP, SK_TCP_SYN_RECV, SK_TMO_TCP_SYN },
		{ IPPROTO_TCP, SK_TCP_ESTABLISHED, SK_TMO_TCP_ESTABLISHED },
		{ IPPROTO_TCP, SK_TCP_FIN_WAIT, SK_TMO_TCP_FIN },
		{ IPPROTO_TCP, SK_TCP_CLOSE_WAIT, SK_TMO_TCP_FIN },
		{ IPPROTO_TCP, SK_TCP_LAST_ACK, SK_TMO_TCP_FIN },
		{ IPPROTO_TCP, SK_TCP_TIME_WAIT, SK_TMO_TCP_CLOSED },
		{ IPPROTO_TCP, SK_TCP_CLOSED, SK_TMO_TCP_CLOSED },
		{ IPPROTO_UDP, 0, SK_TMO_UDP },
		{ IPPROTO_UDP, 1, SK_TMO_UDP_STREAM },
		{ IPPROTO_ICMP, 0, SK_TMO_ICMP },
		{ IPPROTO_ICMP, 1, SK_TMO_ICMP },
		{ IPPROTO_ICMPV6, 1, SK_TMO_ICMP },
		{ IPPROTO_GRE, 0, SK_TMO_OTHER },
		{ IPPROTO_ESP, 1, SK_TMO_OTHER },
	};
	for (size_t i = 0; i < RTE_DIM(t); i++)
		SK_CHECK(sk_conn_timeout_class(t[i].proto, t[i].state) == t[i].expect,
			 "timeout class of proto %u state %u", t[i].proto, t[i].state);
}

static void
test_names(void)
{
	int distinct = 1;

	for (unsigned int i = 0; i < SK_TCP__MAX; i++)
		for (unsigned int j = i + 1; j < SK_TCP__MAX; j++)
			if (strcmp(sk_conn_tcp_state_name(i), sk_conn_tcp_state_name(j)) == 0)
				distinct = 0;
	SK_CHECK(distinct, "state names are distinct");
	SK_CHECK(strcmp(sk_conn_tcp_state_name(SK_TCP_ESTABLISHED), "established") == 0,
		 "established is named established");
	SK_CHECK(strcmp(sk_conn_tcp_state_name(SK_TCP__MAX), "unknown") == 0,
		 "out-of-range state is unknown");
}

int
main(void)
{
	test_rows();
	test_rst();
	test_orig_synack();
	test_sequences();
	test_timeouts();
	test_names();
	return SK_TEST_DONE();
}
