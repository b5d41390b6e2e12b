/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * test_halink.c - the HA link (control/ha/ha_link*.c, docs/ha-link.md):
 * the codec field by field, the PSK file rules, two links over 127.0.0.1
 * talking both ways (a 5 MB message chunked while heartbeats keep going),
 * hostile peers played from here with raw sockets (wrong key, garbage,
 * replay, a 1 GB length, wrong version, a stranger's address, a peer that
 * never reads, a hello that differs), each dropped and counted by kind
 * while the good peer keeps working; and the link's messages/s on loopback
 * (a figure, printed as a TAP comment, not asserted).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "ha/ha_frame.h"
#include "ha/ha_link.h"
#include "sk_test.h"
#include "sk_test_halink.h"

/* ---- codec ---- */

static void
test_codec(void)
{
	struct sk_ha_frame_hdr h = {
		.magic = SK_HA_FRAME_MAGIC, .version = SK_HA_FRAME_VERSION,
		.type = SK_HA_MSG_CONFIG_PUSH, .flags = SK_HA_FLAG_FIRST, .unit = 2,
		.len = 0x1234, .total = 0x00abcdef, .seq = 0x0102030405060708ull,
		.boot = 0xf0e0d0c0b0a09080ull,
	}, g;
	struct sk_ha_hello_msg hm = { .unit = 1, .max_frame = 65536 }, hg;
	uint8_t raw[SK_HA_FRAME_HDR_LEN], hb[SK_HA_HELLO_LEN], buf[256], k2[SK_HA_KEY_LEN];
	uint8_t key[SK_HA_KEY_LEN], want[SK_HA_KEY_LEN];
	struct sk_ha_mac m;
	size_t n, outl = 0;
	char why[160];
	int i;

	sk_ha_frame_hdr_put(&h, raw);
	SK_CHECK(raw[0] == 'S' && raw[1] == 'K' && raw[2] == 'H' && raw[3] == 'L',
		 "magic on the wire is \"SKHL\"");
	SK_CHECK(raw[16] == 0x01 && raw[23] == 0x08, "sequence is big-endian at offset 16");
	sk_ha_frame_hdr_get(raw, &g);
	SK_CHECK(g.magic == h.magic && g.version == h.version && g.type == h.type &&
		 g.flags == h.flags && g.unit == h.unit && g.len == h.len &&
		 g.total == h.total && g.seq == h.seq && g.boot == h.boot,
		 "header round trip: every field");
	SK_CHECK(sk_ha_frame_hdr_check(&h, 65536, SK_HA_MSG_DEFAULT) == 0, "a first chunk passes");
	g = h; g.magic ^= 1;
	SK_CHECK(sk_ha_frame_hdr_check(&g, 65536, SK_HA_MSG_DEFAULT) ==
		 SK_HA_LINKERR_MALFORMED + 1, "bad magic: malformed");
	g = h; g.version = 2;
	SK_CHECK(sk_ha_frame_hdr_check(&g, 65536, SK_HA_MSG_DEFAULT) ==
		 SK_HA_LINKERR_VERSION + 1, "version 2: version");
	g = h; g.len = 1u << 30;
	SK_CHECK(sk_ha_frame_hdr_check(&g, 65536, SK_HA_MSG_DEFAULT) ==
		 SK_HA_LINKERR_OVERSIZE + 1, "1 GB length: oversize");
	g = h; g.type = 99;
	SK_CHECK(sk_ha_frame_hdr_check(&g, 65536, SK_HA_MSG_DEFAULT) ==
		 SK_HA_LINKERR_MALFORMED + 1, "unknown type: malformed");
	g = h; g.flags = 0x80;
	SK_CHECK(sk_ha_frame_hdr_check(&g, 65536, SK_HA_MSG_DEFAULT) ==
		 SK_HA_LINKERR_MALFORMED + 1, "unknown flag: malformed");
	g = h; g.total = 100u << 20;
	SK_CHECK(sk_ha_frame_hdr_check(&g, 65536, SK_HA_MSG_DEFAULT) ==
		 SK_HA_LINKERR_OVERSIZE + 1, "100 MB message: oversize");
	g = h; g.flags = SK_HA_FLAG_FIRST | SK_HA_FLAG_LAST;
	SK_CHECK(sk_ha_frame_hdr_check(&g, 65536, SK_HA_MSG_DEFAULT) ==
		 SK_HA_LINKERR_MALFORMED + 1, "whole message with total != len: malformed");

	SK_CHECK(sk_ha_mac_init(&m, key_good) == 0, "mac keyed");
	h = (struct sk_ha_frame_hdr){ .magic = SK_HA_FRAME_MAGIC, .version = SK_HA_FRAME_VERSION,
		.type = SK_HA_MSG_HEARTBEAT, .flags = 3, .unit = 1, .len = 5, .total = 5,
		.seq = 9, .boot = 77 };
	n = sk_ha_frame_encode(&m, &h, "hello", buf);
	SK_CHECK(n == 32 + 5 + 32, "frame length = header + payload + MAC (%zu)", n);
	SK_CHECK(sk_ha_frame_verify(&m, buf, 5) == 1, "the MAC verifies");
	/* the MAC is HMAC-SHA256(key, header | payload), checked independently */
	SK_CHECK(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key_good, SK_HA_KEY_LEN, buf,
			   37, want, sizeof(want), &outl) != NULL &&
		 memcmp(want, buf + 37, 32) == 0, "MAC = HMAC-SHA256(key, header|payload)");
	for (i = 0; i < (int)n; i += 7) {
		buf[i] ^= 0x10;
		if (sk_ha_frame_verify(&m, buf, 5) != 0)
			break;
		buf[i] ^= 0x10;
	}
	SK_CHECK(i >= (int)n, "any flipped bit (header, payload or MAC) fails the MAC");
	sk_ha_mac_free(&m);

	memcpy(hm.nonce, "0123456789ABCDEF", 16);
	snprintf(hm.hello.version, sizeof(hm.hello.version), "1.2.3");
	hm.hello.workers = 4;
	hm.hello.snat_layout = 0xdeadbeef;
	snprintf(hm.hello.cluster, sizeof(hm.hello.cluster), "pair-a");
	sk_ha_hello_put(&hm, hb);
	SK_CHECK(sk_ha_hello_get(hb, sizeof(hb), &hg) == 0 && hg.unit == 1 &&
		 hg.max_frame == 65536 && memcmp(hg.nonce, hm.nonce, 16) == 0 &&
		 strcmp(hg.hello.version, "1.2.3") == 0 && hg.hello.workers == 4 &&
		 hg.hello.snat_layout == 0xdeadbeef && strcmp(hg.hello.cluster, "pair-a") == 0,
		 "hello round trip: every field");
	SK_CHECK(sk_ha_hello_get(hb, sizeof(hb) - 1, &hg) != 0, "short hello refused");
	hb[127] = 'x';
	SK_CHECK(sk_ha_hello_get(hb, sizeof(hb), &hg) != 0, "unterminated cluster refused");
	hg = hm; hg.unit = 2;
	snprintf(hg.hello.version, sizeof(hg.hello.version), "1.2.4");
	SK_CHECK(sk_ha_hello_compare(&hm, &hg, why, sizeof(why)) != 0,
		 "compare: version differs (%s)", why);
	hg.hello = hm.hello;
	SK_CHECK(sk_ha_hello_compare(&hm, &hg, why, sizeof(why)) == 0, "compare: equal");
	hg.hello.workers = 8;
	SK_CHECK(sk_ha_hello_compare(&hm, &hg, why, sizeof(why)) != 0 &&
		 strstr(why, "worker") != NULL, "compare: workers differ (%s)", why);

	SK_CHECK(sk_ha_link_key_derive("secret", 6, key) == 0 &&
		 EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, "secret", 6,
			   (const unsigned char *)"sekisho ha link", 15, want, sizeof(want), &outl) != NULL &&
		 memcmp(key, want, 32) == 0, "key = HMAC-SHA256(psk, \"sekisho ha link\")");
	SK_CHECK(sk_ha_link_key_derive("", 0, key) == -EINVAL, "empty psk refused");
	SK_CHECK(sk_ha_session_key(key, hm.nonce, hg.nonce, k2) == 0 &&
		 memcmp(k2, key, 32) != 0, "session key differs from the link key");
	{
		struct sockaddr_storage ss;
		socklen_t sl;

		SK_CHECK(sk_ha_link_addr("10.0.0.1", 7700, &ss, &sl) == 0 &&
			 ss.ss_family == AF_INET && sl == sizeof(struct sockaddr_in) &&
			 ntohs(((struct sockaddr_in *)&ss)->sin_port) == 7700 &&
			 sk_ha_link_addr("fd00::1", 7700, &ss, &sl) == 0 &&
			 ss.ss_family == AF_INET6 && sl == sizeof(struct sockaddr_in6) &&
			 sk_ha_link_addr("not-an-ip", 1, &ss, &sl) == -EINVAL,
			 "addresses: IPv4, IPv6, garbage refused");
	}
	SK_CHECK(strcmp(sk_ha_msg_name(SK_HA_MSG_BULK_CHUNK), "bulk_chunk") == 0 &&
		 sk_ha_msg_known(SK_HA_MSG_ACK) && !sk_ha_msg_known(10), "message names");
}

static int
write_psk(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	close(fd);
	return chmod(path, mode);
}

static void
test_keyfile(void)
{
	char path[] = "/tmp/sk-halink-psk-XXXXXX", err[256];
	uint8_t k1[32], k2[32];
	int fd = mkstemp(path);

	close(fd);
	SK_CHECK(write_psk(path, "correct horse\n", 0600) == 0 &&
		 sk_ha_link_key_from_file(path, k1, err, sizeof(err)) == 0 &&
		 sk_ha_link_key_derive("correct horse", 13, k2) == 0 && memcmp(k1, k2, 32) == 0,
		 "psk file: key derived, final newline not part of the psk");
	SK_CHECK(write_psk(path, "correct horse\n", 0644) == 0 &&
		 sk_ha_link_key_from_file(path, k1, err, sizeof(err)) == -EPERM,
		 "world-readable psk file refused: %s", err);
	SK_CHECK(strstr(err, "correct") == NULL, "the error never shows the psk");
	SK_CHECK(write_psk(path, "\n", 0600) == 0 &&
		 sk_ha_link_key_from_file(path, k1, err, sizeof(err)) == -EINVAL,
		 "empty psk file refused: %s", err);
	unlink(path);
	SK_CHECK(sk_ha_link_key_from_file(path, k1, err, sizeof(err)) == -ENOENT,
		 "missing psk file: %s", err);
}

static void
test_hostile(struct side *a, struct side *b, uint16_t aport)
{
	struct side *s[2] = { a, b }, *only_a[1] = { a };
	struct hostile h = { .fd = -1 };
	uint8_t junk[256], hdr[SK_HA_FRAME_HDR_LEN];
	struct sk_ha_frame_hdr hd;
	uint64_t before, hb_before;
	uint8_t wrong[32];
	int fd, i, nobufs = 0;

	/* wrong key */
	before = err_of(a, SK_HA_LINKERR_BAD_MAC);
	memset(&h, 0, sizeof(h));
	memcpy(wrong, key_good, 32);
	wrong[0] ^= 1;
	h.boot = 1;
	SK_CHECK(sk_ha_mac_init(&h.lmac, wrong) == 0, "hostile: keyed with a wrong key");
	h.fd = hostile_connect("127.0.0.1", aport, 0);
	hostile_hello(&h, "1.0");
	SK_CHECK(wait_closed(s, 2, h.fd, 2000), "wrong key: disconnected");
	SK_CHECK(err_of(a, SK_HA_LINKERR_BAD_MAC) == before + 1, "wrong key: counted bad_mac");
	hostile_free(&h);
	SK_CHECK(pair_works(a, b), "after wrong key: the pair still talks both ways");

	/* random bytes (the first four are not the magic) */
	before = err_of(a, SK_HA_LINKERR_MALFORMED);
	srand(42);
	for (i = 0; i < (int)sizeof(junk); i++)
		junk[i] = (uint8_t)rand();
	junk[0] = 0;
	fd = hostile_connect("127.0.0.1", aport, 0);
	SK_CHECK(send(fd, junk, sizeof(junk), MSG_NOSIGNAL) == sizeof(junk) &&
		 wait_closed(s, 2, fd, 2000), "random bytes: disconnected");
	close(fd);
	SK_CHECK(err_of(a, SK_HA_LINKERR_MALFORMED) == before + 1, "random bytes: counted malformed");
	SK_CHECK(pair_works(a, b), "after random bytes: the pair still talks both ways");

	/* a 1 GB length: refused on the header alone */
	before = err_of(a, SK_HA_LINKERR_OVERSIZE);
	hd = (struct sk_ha_frame_hdr){ .magic = SK_HA_FRAME_MAGIC, .version = SK_HA_FRAME_VERSION,
		.type = SK_HA_MSG_HELLO, .flags = 3, .unit = 2, .len = 1u << 30,
		.total = 1u << 30, .seq = 1, .boot = 5 };
	sk_ha_frame_hdr_put(&hd, hdr);
	fd = hostile_connect("127.0.0.1", aport, 0);
	SK_CHECK(send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL) == sizeof(hdr) &&
		 wait_closed(s, 2, fd, 2000), "1 GB length: disconnected after 32 bytes");
	close(fd);
	SK_CHECK(err_of(a, SK_HA_LINKERR_OVERSIZE) == before + 1, "1 GB length: counted oversize");
	SK_CHECK(pair_works(a, b), "after 1 GB length: the pair still talks both ways");

	/* wrong version */
	before = err_of(a, SK_HA_LINKERR_VERSION);
	hd.version = 7;
	hd.len = hd.total = 0;
	sk_ha_frame_hdr_put(&hd, hdr);
	fd = hostile_connect("127.0.0.1", aport, 0);
	SK_CHECK(send(fd, hdr, sizeof(hdr), MSG_NOSIGNAL) == sizeof(hdr) &&
		 wait_closed(s, 2, fd, 2000), "version 7: disconnected");
	close(fd);
	SK_CHECK(err_of(a, SK_HA_LINKERR_VERSION) == before + 1, "version 7: counted version");
	SK_CHECK(pair_works(a, b), "after wrong version: the pair still talks both ways");

	/* a stranger's address (127.0.0.2 is not the peer's HA address) */
	before = err_of(a, SK_HA_LINKERR_REFUSED);
	fd = hostile_connect("127.0.0.2", aport, 0);
	SK_CHECK(fd >= 0 && wait_closed(s, 2, fd, 2000), "stranger's address: disconnected");
	close(fd);
	SK_CHECK(err_of(a, SK_HA_LINKERR_REFUSED) == before + 1, "stranger: counted refused");

	/* a hello that differs while the session is up: refused once its
	 * READY proves it live, counted, the session kept */
	before = err_of(a, SK_HA_LINKERR_MISMATCH);
	SK_CHECK(hostile_handshake(s, 2, &h, aport, 0, "9.9-other") == 0,
		 "mismatched hello: handshake done");
	SK_CHECK(wait_closed(s, 2, h.fd, 2000), "mismatched hello: disconnected");
	SK_CHECK(err_of(a, SK_HA_LINKERR_MISMATCH) == before + 1, "mismatched hello: counted mismatch");
	{
		struct sk_ha_link_stats st;

		sk_ha_link_stats(a->l, &st);
		SK_CHECK(st.last_error_kind == SK_HA_LINKERR_MISMATCH &&
			 strstr(st.last_error, "9.9-other") != NULL, "last error says why: %s",
			 st.last_error);
	}
	SK_CHECK(a->state == SK_HA_LINK_UP && a->mismatches == 0,
		 "the session with the good peer stayed up, no MISMATCH state");
	hostile_free(&h);

	/* an old hello replayed alone: no READY, so no mismatch, no fault */
	before = err_of(a, SK_HA_LINKERR_MISMATCH);
	memset(&h, 0, sizeof(h));
	h.boot = 9;
	SK_CHECK(sk_ha_mac_init(&h.lmac, key_good) == 0, "hostile: right key");
	h.fd = hostile_connect("127.0.0.1", aport, 0);
	hostile_hello(&h, "0.9-old");
	SK_CHECK(wait_closed(s, 2, h.fd, 3000), "a hello alone: dropped at the handshake limit");
	SK_CHECK(err_of(a, SK_HA_LINKERR_MISMATCH) == before && a->state == SK_HA_LINK_UP,
		 "no mismatch counted for it, the session kept");
	hostile_free(&h);

	/* replay: a peer with the key (new boot id, so it takes the session
	 * over) sends a heartbeat, then the same frame again */
	before = err_of(a, SK_HA_LINKERR_REPLAY);
	hb_before = a->by_type[SK_HA_MSG_HEARTBEAT];
	/* B is not serviced meanwhile: it would come back and win over the
	 * replayer (boot id changed again) before the replay is sent */
	SK_CHECK(hostile_handshake(only_a, 1, &h, aport, 0, "1.0") == 0, "replayer: handshake done");
	pump(only_a, 1, 100, NULL, NULL);
	{
		size_t mark = h.rec_len;

		hostile_frame(&h, &h.smac, SK_HA_MSG_HEARTBEAT, "hb-1", 4);
		pump(only_a, 1, 50, NULL, NULL);
		SK_CHECK(send(h.fd, h.rec + mark, h.rec_len - mark, MSG_NOSIGNAL) ==
			 (ssize_t)(h.rec_len - mark), "replayer: the same heartbeat frame sent again");
	}
	SK_CHECK(wait_closed(only_a, 1, h.fd, 2000), "replayed frame: disconnected");
	SK_CHECK(err_of(a, SK_HA_LINKERR_REPLAY) == before + 1, "replayed frame: counted replay");
	SK_CHECK(a->by_type[SK_HA_MSG_HEARTBEAT] == hb_before + 1,
		 "the heartbeat was delivered once, its replay never");
	SK_CHECK(pair_works(a, b), "after a replay: the pair comes back and talks both ways");

	/* the whole recorded session replayed on a new connection: its HELLO
	 * is genuine, but READY was keyed with the old session's nonces */
	before = err_of(a, SK_HA_LINKERR_BAD_MAC);
	close(h.fd);
	h.fd = hostile_connect("127.0.0.1", aport, 0);
	SK_CHECK(send(h.fd, h.rec, h.rec_len, MSG_NOSIGNAL) == (ssize_t)h.rec_len &&
		 wait_closed(s, 2, h.fd, 2000), "recorded session replayed: disconnected");
	SK_CHECK(err_of(a, SK_HA_LINKERR_BAD_MAC) == before + 1,
		 "recorded session replayed: counted bad_mac (session key differs)");
	SK_CHECK(a->state == SK_HA_LINK_UP, "and it never took the session over");
	hostile_free(&h);

	/* 200 mangled handshakes (bytes flipped, cut short, junk after): each
	 * one dropped and counted exactly once, nothing else disturbed */
	{
		struct sk_ha_hello_msg hm = { .unit = 2, .max_frame = SK_HA_FRAME_DEFAULT };
		struct sk_ha_frame_hdr fh = { .magic = SK_HA_FRAME_MAGIC,
			.version = SK_HA_FRAME_VERSION, .type = SK_HA_MSG_HELLO, .flags = 3,
			.unit = 2, .len = SK_HA_HELLO_LEN, .total = SK_HA_HELLO_LEN, .seq = 1,
			.boot = 11 };
		uint8_t good[512], bad[512], hb[SK_HA_HELLO_LEN];
		uint64_t errs0 = 0, errs1 = 0, ups0 = a->ups;
		struct sk_ha_link_stats st;
		struct sk_ha_mac m;
		size_t glen, blen;
		int k;

		SK_CHECK(sk_ha_mac_init(&m, key_good) == 0, "fuzz: keyed");
		snprintf(hm.hello.version, sizeof(hm.hello.version), "1.0");
		hm.hello.workers = 2;
		hm.hello.snat_layout = 7;
		snprintf(hm.hello.cluster, sizeof(hm.hello.cluster), "lab-pair");
		sk_ha_hello_put(&hm, hb);
		glen = sk_ha_frame_encode(&m, &fh, hb, good);
		sk_ha_mac_free(&m);
		sk_ha_link_stats(a->l, &st);
		for (k = 0; k < SK_HA_LINKERR__MAX; k++)
			errs0 += st.errors[k];
		for (i = 0; i < 200; i++) {
			memcpy(bad, good, glen);
			blen = glen;
			switch (rand() % 3) {
			case 0:  /* flip 1..3 bytes anywhere */
				for (k = 0; k <= rand() % 3; k++)
					bad[rand() % glen] ^= (uint8_t)(1 + rand() % 255);
				break;
			case 1:  /* cut short, then close */
				blen = (size_t)(rand() % (int)glen);
				break;
			default: /* a byte flipped in the header, then junk */
				bad[rand() % SK_HA_FRAME_HDR_LEN] ^= (uint8_t)(1 + rand() % 255);
				for (k = 0; k < 64; k++)
					bad[glen + (size_t)k] = (uint8_t)rand();
				blen = glen + 64;
				break;
			}
			fd = hostile_connect("127.0.0.1", aport, 0);
			if (fd < 0 || (blen > 0 && send(fd, bad, blen, MSG_NOSIGNAL) != (ssize_t)blen))
				break;
			close(fd);
			pump(s, 2, 2, NULL, NULL);
		}
		pump(s, 2, 300, NULL, NULL);
		sk_ha_link_stats(a->l, &st);
		for (k = 0; k < SK_HA_LINKERR__MAX; k++)
			errs1 += st.errors[k];
		SK_CHECK(i == 200 && errs1 - errs0 == 200,
			 "fuzz: 200 mangled handshakes, %llu counted errors",
			 (unsigned long long)(errs1 - errs0));
		SK_CHECK(a->state == SK_HA_LINK_UP && (uint64_t)a->ups == ups0,
			 "fuzz: the session was never disturbed");
	}
	SK_CHECK(pair_works(a, b), "after the fuzz: the pair still talks both ways");

	/* a peer that never reads: B is left alone (not serviced) so the
	 * never-reader keeps the session; A's queue fills, then it drops it */
	before = err_of(a, SK_HA_LINKERR_TIMEOUT);
	SK_CHECK(hostile_handshake(only_a, 1, &h, aport, 4096, "1.0") == 0, "never-reader: handshake done");
	pump(only_a, 1, 100, NULL, NULL);
	SK_CHECK(a->state == SK_HA_LINK_UP && strstr(a->reason, "replaced") != NULL,
		 "never-reader took the session over (%s)", a->reason);
	{
		static uint8_t chunk[60000];

		for (i = 0; i < 2000 && a->state == SK_HA_LINK_UP; i++) {
			int rc = sk_ha_link_send(a->l, SK_HA_MSG_CONN_RECORDS, chunk, sizeof(chunk),
						 SK_HA_PRIO_BULK);
			if (rc == -ENOBUFS) {
				nobufs++;
				pump(only_a, 1, 20, NULL, NULL);
			} else if (rc != 0) {
				break;
			} else {
				pump(only_a, 1, 0, NULL, NULL);
			}
			/* keep its heartbeats coming: it is slow, not silent */
			if (i % 10 == 0)
				hostile_frame(&h, &h.smac, SK_HA_MSG_HEARTBEAT, "hb", 2);
		}
	}
	SK_CHECK(nobufs > 0, "never-reader: send said -ENOBUFS once the queue was full (%d)", nobufs);
	SK_CHECK(a->state == SK_HA_LINK_DOWN && strstr(a->reason, "does not read") != NULL,
		 "never-reader: disconnected (%s)", a->reason);
	SK_CHECK(err_of(a, SK_HA_LINKERR_TIMEOUT) == before + 1, "never-reader: counted timeout");
	{
		struct sk_ha_link_stats st;

		sk_ha_link_stats(a->l, &st);
		SK_CHECK(st.bulk_queued == 0 && st.dropped_down > 0,
			 "its queue was emptied (%llu messages dropped)",
			 (unsigned long long)st.dropped_down);
	}
	hostile_free(&h);
	SK_CHECK(pair_works(a, b), "after a never-reader: the pair comes back and talks both ways");
}

static int
big_done(void *arg)
{
	struct side *b = arg;

	return b->big_ok || b->big_bad;
}

static void
test_pair_traffic(struct side *a, struct side *b)
{
	struct side *s[2] = { a, b };
	struct sk_ha_link_peer peer;
	uint8_t *big = malloc(BIG_LEN);
	uint64_t t, next_hb, hb_sent = 0, hb0;
	size_t i;

	SK_CHECK(sk_ha_link_peer(a->l, &peer) == 0 && peer.unit == 2 && peer.boot_id != 0 &&
		 strcmp(peer.hello.version, "1.0") == 0 && peer.hello.workers == 2 &&
		 strcmp(peer.hello.cluster, "lab-pair") == 0, "A knows B's hello (unit 2, 1.0)");
	SK_CHECK(sk_ha_link_send(a->l, SK_HA_MSG_HEARTBEAT, "from-a", 6, SK_HA_PRIO_CTRL) == 0 &&
		 sk_ha_link_send(b->l, SK_HA_MSG_CONFIG_RESULT, "from-b!", 7, SK_HA_PRIO_CTRL) == 0,
		 "both sides queue a message");
	pump(s, 2, 100, NULL, NULL);
	SK_CHECK(b->last_type == SK_HA_MSG_HEARTBEAT && b->last_len == 6 &&
		 memcmp(b->last, "from-a", 6) == 0, "B got A's heartbeat, byte exact");
	SK_CHECK(a->last_type == SK_HA_MSG_CONFIG_RESULT && a->last_len == 7 &&
		 memcmp(a->last, "from-b!", 7) == 0, "A got B's config result, byte exact");
	SK_CHECK(sk_ha_link_send(a->l, SK_HA_MSG_HELLO, "x", 1, SK_HA_PRIO_CTRL) == -EINVAL &&
		 sk_ha_link_send(a->l, 10, "x", 1, SK_HA_PRIO_CTRL) == -EINVAL,
		 "HELLO and unknown types cannot be sent");
	SK_CHECK(sk_ha_link_send(a->l, SK_HA_MSG_CONFIG_PUSH, big, SK_HA_MSG_DEFAULT + 1,
				 SK_HA_PRIO_BULK) == -EMSGSIZE, "a message beyond max_msg: -EMSGSIZE");

	/* 5 MB both ways' worth of checking: A -> B chunked, a heartbeat queued
	 * after it must arrive before it completes, and heartbeats keep
	 * flowing both ways every 5 ms meanwhile */
	for (i = 0; i < BIG_LEN; i++)
		big[i] = pattern(i);
	b->big_expected = 1;
	hb0 = b->by_type[SK_HA_MSG_HEARTBEAT];
	SK_CHECK(sk_ha_link_send(a->l, SK_HA_MSG_CONFIG_PUSH, big, BIG_LEN, SK_HA_PRIO_CTRL) == 0,
		 "5 MB config push queued (it rides BULK by itself)");
	SK_CHECK(sk_ha_link_send(a->l, SK_HA_MSG_HEARTBEAT, "hb", 2, SK_HA_PRIO_CTRL) == 0,
		 "a heartbeat queued behind it");
	t = now_ms();
	next_hb = t;
	while (!big_done(b) && now_ms() - t < 10000) {
		if (now_ms() >= next_hb) {
			uint64_t us = now_us();

			if (sk_ha_link_send(a->l, SK_HA_MSG_HEARTBEAT, &us, sizeof(us),
					    SK_HA_PRIO_CTRL) == 0)
				hb_sent++;
			if (sk_ha_link_send(b->l, SK_HA_MSG_HEARTBEAT, "hb", 2, SK_HA_PRIO_CTRL) != 0)
				fprintf(stderr, "B's heartbeat refused\n");
			next_hb += 5;
		}
		pump(s, 2, 1, big_done, b);
	}
	t = now_ms() - t;
	SK_CHECK(b->big_ok == 1 && b->big_bad == 0, "5 MB message reassembled byte exact in %llu ms",
		 (unsigned long long)t);
	SK_CHECK(b->hb_before_big >= 1,
		 "heartbeats overtook the bulk message (%d arrived before it completed)",
		 b->hb_before_big);
	pump(s, 2, 50, NULL, NULL);
	printf("# ha link: heartbeat latency during a 5 MB push: max %llu us over %llu "
	       "heartbeats\n", (unsigned long long)b->hb_lat_max_us,
	       (unsigned long long)b->hb_lat_n);
	SK_CHECK(b->by_type[SK_HA_MSG_HEARTBEAT] >= hb0 + 1 + hb_sent,
		 "every heartbeat arrived (%llu)", (unsigned long long)(b->by_type[SK_HA_MSG_HEARTBEAT] - hb0));
	b->big_expected = 0;
	free(big);
}

static void
test_mismatch_pair(unsigned int uc, unsigned int ud, const char *vc, const char *vd,
		   const char *word)
{
	struct side c = { .name = "C" }, d = { .name = "D" }, *s[2] = { &c, &d };
	struct sk_ha_link_cfg cc, cd;
	uint16_t pc = free_port(), pd = free_port();
	struct sk_ha_link_stats st;
	char err[256];

	mkcfg(&cc, uc, pc, pd, &c, vc);
	mkcfg(&cd, ud, pd, pc, &d, vd);
	SK_CHECK(sk_ha_link_create(&cc, &c.l, err, sizeof(err)) == 0 &&
		 sk_ha_link_create(&cd, &d.l, err, sizeof(err)) == 0,
		 "units %u and %u, versions %s and %s: created", uc, ud, vc, vd);
	pump(s, 2, 2500, NULL, NULL);
	SK_CHECK(c.state == SK_HA_LINK_MISMATCH && d.state == SK_HA_LINK_MISMATCH &&
		 strstr(c.reason, word) != NULL && strstr(d.reason, word) != NULL,
		 "both report MISMATCH (%s / %s)", c.reason, d.reason);
	SK_CHECK(c.ups == 0 && d.ups == 0, "and never came up");
	SK_CHECK(c.mismatches == 1, "reported once, not once per retry");
	sk_ha_link_stats(c.l, &st);
	SK_CHECK(st.errors[SK_HA_LINKERR_MISMATCH] >= 1 && st.dials <= 3,
		 "counted mismatch (%llu), retried slowly (%llu dials in 2.5 s; last error %s)",
		 (unsigned long long)st.errors[SK_HA_LINKERR_MISMATCH],
		 (unsigned long long)st.dials, st.last_error);
	sk_ha_link_free(&c.l);
	sk_ha_link_free(&d.l);
	SK_CHECK(c.l == NULL, "free sets NULL");
	sk_ha_link_free(&c.l);
}

/* The same over IPv6 loopback: up, one message each way. */
static void
test_ipv6(void)
{
	struct side e = { .name = "E" }, f = { .name = "F" }, *s[2] = { &e, &f };
	struct sk_ha_link_cfg ce, cf;
	uint16_t pe = free_port(), pf = free_port();
	char err[256];

	mkcfg(&ce, 1, pe, pf, &e, "1.0");
	mkcfg(&cf, 2, pf, pe, &f, "1.0");
	set_addr(&ce.local, &ce.local_len, "::1", pe);
	set_addr(&ce.peer, &ce.peer_len, "::1", pf);
	set_addr(&cf.local, &cf.local_len, "::1", pf);
	set_addr(&cf.peer, &cf.peer_len, "::1", pe);
	if (sk_ha_link_create(&ce, &e.l, err, sizeof(err)) != 0) {
		printf("ok %d - # SKIP no IPv6 loopback here (%s)\n", ++sk_test_n, err);
		return;
	}
	SK_CHECK(sk_ha_link_create(&cf, &f.l, err, sizeof(err)) == 0, "IPv6: links created");
	pump(s, 2, 3000, both_up, s);
	SK_CHECK(both_up(s) && pair_works(&e, &f), "IPv6: up, messages both ways");
	sk_ha_link_free(&e.l);
	sk_ha_link_free(&f.l);
}

static void
bench(struct side *a, struct side *b)
{
	struct side *s[2] = { a, b };
	uint8_t msg[64] = "bench";
	static uint8_t blk[60000];
	uint64_t t0, r0, bytes0, el;
	double rate;

	r0 = b->by_type[SK_HA_MSG_CONN_RECORDS];
	t0 = now_ms();
	while (now_ms() - t0 < 1000) {
		for (int i = 0; i < 512; i++)
			if (sk_ha_link_send(a->l, SK_HA_MSG_CONN_RECORDS, msg, sizeof(msg),
					    SK_HA_PRIO_BULK) != 0)
				break;
		pump(s, 2, 0, NULL, NULL);
	}
	el = now_ms() - t0;
	rate = (double)(b->by_type[SK_HA_MSG_CONN_RECORDS] - r0) * 1000.0 / (double)el;
	printf("# ha link: %.0f messages/s (64-byte payloads, one process, both links on "
	       "loopback, MAC each)\n", rate);
	SK_CHECK(rate > 0, "messages/s measured");

	bytes0 = b->bytes;
	t0 = now_ms();
	while (now_ms() - t0 < 1000) {
		for (int i = 0; i < 16; i++)
			if (sk_ha_link_send(a->l, SK_HA_MSG_BULK_CHUNK, blk, sizeof(blk),
					    SK_HA_PRIO_BULK) != 0)
				break;
		pump(s, 2, 0, NULL, NULL);
	}
	el = now_ms() - t0;
	printf("# ha link: %.0f MB/s (60000-byte messages)\n",
	       (double)(b->bytes - bytes0) / 1e3 / (double)el);
	pump(s, 2, 200, NULL, NULL);
}

int
main(void)
{
	struct side a = { .name = "A" }, b = { .name = "B" }, *s[2] = { &a, &b };
	struct sk_ha_link_cfg ca, cb;
	uint16_t pa = free_port(), pb = free_port();
	char err[256];

	test_codec();
	test_keyfile();

	mkcfg(&ca, 1, pa, pb, &a, "1.0");
	mkcfg(&cb, 2, pb, pa, &b, "1.0");
	ca.bulk_queue_max = 8u << 20;
	SK_CHECK(sk_ha_link_create(&ca, &a.l, err, sizeof(err)) == 0, "link A (unit 1) created");
	SK_CHECK(sk_ha_link_create(&cb, &b.l, err, sizeof(err)) == 0, "link B (unit 2) created");
	SK_CHECK(sk_ha_link_send(a.l, SK_HA_MSG_HEARTBEAT, "x", 1, SK_HA_PRIO_CTRL) == -ENOTCONN,
		 "send before the session is up: -ENOTCONN");
	{
		struct sk_ha_link *dup;

		SK_CHECK(sk_ha_link_create(&ca, &dup, err, sizeof(err)) < 0,
			 "a second link on the same address is refused: %s", err);
	}
	pump(s, 2, 3000, both_up, s);
	SK_CHECK(both_up(s), "A and B up (%s / %s)", a.reason, b.reason);
	pump(s, 2, 300, NULL, NULL);
	SK_CHECK(a.ups == 1 && b.ups == 1 && strstr(a.reason, "dialed by unit 1") != NULL,
		 "one session, the one unit 1 dialed (%s; ups %d/%d)", a.reason, a.ups, b.ups);

	test_pair_traffic(&a, &b);
	test_hostile(&a, &b, pa);
	bench(&a, &b);
	test_ipv6();
	test_mismatch_pair(1, 2, "1.0", "2.0", "version");
	test_mismatch_pair(1, 1, "1.0", "1.0", "unit");

	sk_ha_link_free(&a.l);
	sk_ha_link_free(&b.l);
	return SK_TEST_DONE();
}
