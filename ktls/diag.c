/*
 * The kernel's own word on offloaded sockets: TLS version, cipher and TX/RX
 * mode from sock_diag (INET_DIAG_ULP_INFO / INET_ULP_INFO_TLS) over libnl-3,
 * for one socket by its 4-tuple or for every TCP socket in one dump.
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <linux/tls.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "ktls/ktls.h"

struct diag_walk {
	ktls_diag_cb	 cb;
	void		*arg;
	struct ktls_diag *one;		/* single lookup result */
	bool		 found;
	int		 ret;
};

const char *
ktls_diag_conf_name(uint16_t conf)
{
	switch (conf) {
	case TLS_CONF_BASE:		return "none";
	case TLS_CONF_SW:		return "sw";
	case TLS_CONF_HW:		return "hw";
	case TLS_CONF_HW_RECORD:	return "hw-record";
	default:			return "?";
	}
}

static void
tls_info_parse(struct nlattr *attr, struct ktls_diag *kg)
{
	struct nlattr *tb[TLS_INFO_MAX + 1];

	if (nla_parse_nested(tb, TLS_INFO_MAX, attr, NULL) < 0)
		return;
	if (tb[TLS_INFO_VERSION])
		kg->kg_version = nla_get_u16(tb[TLS_INFO_VERSION]);
	if (tb[TLS_INFO_CIPHER])
		kg->kg_cipher = nla_get_u16(tb[TLS_INFO_CIPHER]);
	if (tb[TLS_INFO_TXCONF])
		kg->kg_txconf = nla_get_u16(tb[TLS_INFO_TXCONF]);
	if (tb[TLS_INFO_RXCONF])
		kg->kg_rxconf = nla_get_u16(tb[TLS_INFO_RXCONF]);
	kg->kg_zc_ro_tx = tb[TLS_INFO_ZC_RO_TX] != NULL;
	kg->kg_rx_no_pad = tb[TLS_INFO_RX_NO_PAD] != NULL;
}

static void
ulp_info_parse(struct nlattr *attr, struct ktls_diag *kg)
{
	struct nlattr *tb[INET_ULP_INFO_MAX + 1];

	if (nla_parse_nested(tb, INET_ULP_INFO_MAX, attr, NULL) < 0)
		return;
	if (tb[INET_ULP_INFO_NAME] &&
	    strcmp(nla_get_string(tb[INET_ULP_INFO_NAME]), "tls") == 0)
		kg->kg_tls = true;
	if (kg->kg_tls && tb[INET_ULP_INFO_TLS])
		tls_info_parse(tb[INET_ULP_INFO_TLS], kg);
}

static int
diag_parse(struct nl_msg *msg, void *arg)
{
	struct diag_walk *w = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[INET_DIAG_MAX + 1];
	const struct inet_diag_msg *r;
	struct ktls_diag kg;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlmsg_parse(nlh, sizeof(*r), tb, INET_DIAG_MAX, NULL) < 0)
		return NL_SKIP;
	r = nlmsg_data(nlh);
	memset(&kg, 0, sizeof(kg));
	kg.kg_family = r->idiag_family;
	memcpy(kg.kg_src, r->id.idiag_src, sizeof(kg.kg_src));
	memcpy(kg.kg_dst, r->id.idiag_dst, sizeof(kg.kg_dst));
	kg.kg_sport = ntohs(r->id.idiag_sport);
	kg.kg_dport = ntohs(r->id.idiag_dport);
	kg.kg_inode = r->idiag_inode;
	if (tb[INET_DIAG_ULP_INFO])
		ulp_info_parse(tb[INET_DIAG_ULP_INFO], &kg);
	if (w->one != NULL) {
		*w->one = kg;
		w->found = true;
	} else if (kg.kg_tls && w->ret == 0) {
		w->ret = w->cb(&kg, w->arg);
	}
	return NL_OK;
}

/* One request (a lookup, or a dump when flags has NLM_F_DUMP) and its
 * replies. ULP details come with INET_DIAG_INFO and, on some kernels, only
 * for CAP_NET_ADMIN requesters. */
static int
diag_request(struct inet_diag_req_v2 *req, int flags, struct diag_walk *w)
{
	struct nl_sock *sk;
	int ret;

	if ((sk = nl_socket_alloc()) == NULL)
		return -ENOMEM;
	nl_socket_disable_auto_ack(sk);
	ret = nl_connect(sk, NETLINK_SOCK_DIAG);
	if (ret == 0)
		ret = nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM,
		    diag_parse, w);
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_ext = 1 << (INET_DIAG_INFO - 1);
	if (ret == 0)
		ret = nl_send_simple(sk, SOCK_DIAG_BY_FAMILY, flags, req,
		    sizeof(*req));
	if (ret >= 0)
		ret = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (ret < 0)
		return ret == -NLE_OBJ_NOTFOUND ? -ENOENT : -EIO;
	return 0;
}

/* The kernel's view of one connected socket, looked up by its 4-tuple. */
int
ktls_diag_query(int fd, struct ktls_diag *kg)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof(local), plen = sizeof(peer);
	struct inet_diag_req_v2 req;
	struct diag_walk w = { .one = kg };
	int ret;

	memset(kg, 0, sizeof(*kg));
	if (getsockname(fd, (struct sockaddr *)&local, &llen) < 0 ||
	    getpeername(fd, (struct sockaddr *)&peer, &plen) < 0)
		return -errno;
	memset(&req, 0, sizeof(req));
	req.sdiag_family = (uint8_t)local.ss_family;
	req.idiag_states = ~0u;
	req.id.idiag_cookie[0] = req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (local.ss_family == AF_INET) {
		const struct sockaddr_in *l = (void *)&local, *p = (void *)&peer;

		req.id.idiag_sport = l->sin_port;
		req.id.idiag_dport = p->sin_port;
		memcpy(req.id.idiag_src, &l->sin_addr, 4);
		memcpy(req.id.idiag_dst, &p->sin_addr, 4);
	} else if (local.ss_family == AF_INET6) {
		const struct sockaddr_in6 *l = (void *)&local, *p = (void *)&peer;

		req.id.idiag_sport = l->sin6_port;
		req.id.idiag_dport = p->sin6_port;
		memcpy(req.id.idiag_src, &l->sin6_addr, 16);
		memcpy(req.id.idiag_dst, &p->sin6_addr, 16);
	} else {
		return -EAFNOSUPPORT;
	}
	ret = diag_request(&req, 0, &w);
	if (ret == 0 && !w.found)
		ret = -ENOENT;
	return ret;
}

/*
 * Calls cb for every TCP socket (IPv4 and IPv6) that carries the tls ULP:
 * two netlink dumps per call, whatever the number of connections, which is
 * what `show` wants at 10,000 connections. A non-zero return from cb stops
 * the walk and is returned.
 */
int
ktls_diag_dump(ktls_diag_cb cb, void *arg)
{
	static const int families[] = { AF_INET, AF_INET6 };
	size_t i;
	int ret = 0;

	for (i = 0; i < sizeof(families) / sizeof(families[0]) && ret == 0; i++) {
		struct inet_diag_req_v2 req;
		struct diag_walk w = { .cb = cb, .arg = arg };

		memset(&req, 0, sizeof(req));
		req.sdiag_family = (uint8_t)families[i];
		req.idiag_states = ~0u;
		ret = diag_request(&req, NLM_F_DUMP, &w);
		if (ret == 0)
			ret = w.ret;
	}
	return ret;
}

static const char *
diag_cipher_name(uint16_t cipher)
{
	switch (cipher) {
	case TLS_CIPHER_AES_GCM_128:		return "AES-128-GCM";
	case TLS_CIPHER_AES_GCM_256:		return "AES-256-GCM";
	case TLS_CIPHER_AES_CCM_128:		return "AES-128-CCM";
	case TLS_CIPHER_CHACHA20_POLY1305:	return "CHACHA20-POLY1305";
	case 0:					return "none";
	default:				return "other";
	}
}

/* e.g. "127.0.0.1:5061 -> 127.0.0.1:40212 tls TLS 1.3 AES-128-GCM tx sw
 * rx sw" */
size_t
ktls_diag_format(const struct ktls_diag *kg, char *buf, size_t size)
{
	char src[INET6_ADDRSTRLEN] = "?", dst[INET6_ADDRSTRLEN] = "?";
	const char *ver = kg->kg_version == TLS_1_3_VERSION ? "TLS 1.3" :
	    kg->kg_version == TLS_1_2_VERSION ? "TLS 1.2" : "TLS ?";
	int n;

	inet_ntop(kg->kg_family, kg->kg_src, src, sizeof(src));
	inet_ntop(kg->kg_family, kg->kg_dst, dst, sizeof(dst));
	if (!kg->kg_tls)
		n = snprintf(buf, size, "%s:%u -> %s:%u no tls ULP", src,
		    kg->kg_sport, dst, kg->kg_dport);
	else
		n = snprintf(buf, size, "%s:%u -> %s:%u tls %s %s tx %s rx %s%s",
		    src, kg->kg_sport, dst, kg->kg_dport, ver,
		    diag_cipher_name(kg->kg_cipher),
		    ktls_diag_conf_name(kg->kg_txconf),
		    ktls_diag_conf_name(kg->kg_rxconf),
		    kg->kg_rx_no_pad ? " rx-no-pad" : "");
	return n < 0 ? 0 : (size_t)n;
}
