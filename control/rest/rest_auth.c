/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * rest_auth.c - who may talk to the API.  Two independent gates: the
 * client's address must be inside an admin network (checked first, before
 * the request body is read), and the request must carry a bearer token
 * whose SHA-256 matches a configured hash.  Only hashes are kept, in the
 * config and in memory, so neither a config archive nor a core dump holds a
 * usable token.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "rest_priv.h"

int
sk_rest_access_set(struct sk_rest_access_list *al, const struct sk_cfg_mgmt *mgmt)
{
	if (mgmt->n_tokens == 0)
		return -ENOKEY;
	pthread_mutex_lock(&al->lock);
	al->n_nets = mgmt->n_nets;
	memcpy(al->nets, mgmt->nets, sizeof(al->nets));
	al->n_tokens = mgmt->n_tokens;
	memcpy(al->tokens, mgmt->tokens, sizeof(al->tokens));
	pthread_mutex_unlock(&al->lock);
	return 0;
}

static int
net_contains(const struct sk_cfg_mgmt_net *n, uint8_t family, const uint8_t a[16])
{
	unsigned int full = n->plen / 8u, rest = n->plen % 8u;

	if (n->family != family)
		return 0;
	if (memcmp(n->addr, a, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((n->addr[full] ^ a[full]) & (uint8_t)(0xff00u >> rest)) == 0;
}

int
sk_rest_access_peer_ok(struct sk_rest_access_list *al, const struct sockaddr *sa,
		       char *peer, size_t peerlen)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	uint8_t addr[16] = { 0 }, family;
	uint32_t i;
	int ok = 0;

	if (sa == NULL) {
		snprintf(peer, peerlen, "?");
		return 0;
	}
	if (sa->sa_family == AF_INET) {
		family = 4;
		memcpy(addr, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		family = 6;
		memcpy(addr, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
			/* A dual-stack socket shows IPv4 clients as ::ffff:a.b.c.d. */
			family = 4;
			memmove(addr, addr + 12, 4);
			memset(addr + 4, 0, 12);
		}
	} else {
		snprintf(peer, peerlen, "?");
		return 0;
	}
	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, peer, (socklen_t)peerlen) == NULL)
		snprintf(peer, peerlen, "?");
	pthread_mutex_lock(&al->lock);
	for (i = 0; i < al->n_nets && !ok; i++)
		ok = net_contains(&al->nets[i], family, addr);
	pthread_mutex_unlock(&al->lock);
	return ok;
}

int
sk_rest_access_token(struct sk_rest_access_list *al, const char *authorization,
		     char *principal, size_t plen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	char digest[65];
	const char *tok;
	int found = -1;

	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
		return -ENOENT;
	tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	if (*tok == '\0')
		return -ENOENT;
	if (EVP_Digest(tok, strlen(tok), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return -EACCES;
	for (i = 0; i < 32; i++) {
		digest[2 * i] = hex[md[i] >> 4];
		digest[2 * i + 1] = hex[md[i] & 0xf];
	}
	digest[64] = '\0';
	pthread_mutex_lock(&al->lock);
	for (i = 0; i < al->n_tokens; i++)
		if (CRYPTO_memcmp(digest, al->tokens[i].sha256, 64) == 0 && found < 0)
			found = (int)i;
	if (found >= 0)
		snprintf(principal, plen, "%s", al->tokens[found].name);
	pthread_mutex_unlock(&al->lock);
	OPENSSL_cleanse(md, sizeof(md));
	OPENSSL_cleanse(digest, sizeof(digest));
	return found >= 0 ? 0 : -EACCES;
}
