/*
 * Toll-fraud protection: is an accepted connection's source address on
 * "ip address trusted list", and may the connection go on? Pure decisions
 * over a loaded config, for the listener after the handshake.
 */
#ifndef SIPKTLS_TRUSTED_H
#define SIPKTLS_TRUSTED_H

#include <stdbool.h>
#include <sys/socket.h>

#include "config.h"

/*
 * What trusted_admit() decided, in the order it asks:
 *
 * REFUSE_CNSAN_FAILED	the profile validates clients by CN-SAN ("cn-san
 *			validate client" or "bidirectional") and the check did
 *			not pass. A trusted address does not excuse it: the
 *			guide runs the check on every new TLS session. (The
 *			verify callback should have failed the handshake
 *			already; this keeps the decision closed if it did not.)
 * ADMIT_OPEN		the trusted list is empty: no filtering by address.
 * ADMIT_TRUSTED	the source is in the trusted list.
 * ADMIT_TARGET		the source is the literal address of a tenant's
 *			sip-server or of a dial-peer's session target, which
 *			CUBE trusts without listing them.
 * ADMIT_CNSAN_BYPASS	the client passed the profile's CN-SAN check, which
 *			bypasses the trusted list (guide, "Hostname
 *			Verification": no trust-list entries are needed for
 *			peers verified by CN-SAN).
 * REFUSE_UNTRUSTED	none of the above.
 *
 * An empty list means no filtering, not "refuse everything": a fresh
 * configuration with no list and no cn-san validation would otherwise accept
 * nothing, and CUBE itself admits its configured targets without a list.
 * The daemon logs a warning once at start and on each reload while the list
 * is empty (trusted_list_enforced() is false), so the open door is visible.
 * Once one entry exists, the list is enforced.
 *
 * Addresses of DNS targets are not admitted implicitly: that would need a
 * resolver here, and the answer could change between lookup and accept.
 */
enum trust_decision {
	REFUSE_UNTRUSTED = 0,	/* 0, so that a zeroed decision refuses */
	REFUSE_CNSAN_FAILED,
	ADMIT_OPEN,
	ADMIT_TRUSTED,
	ADMIT_TARGET,
	ADMIT_CNSAN_BYPASS,
};

/*
 * Whether the source address is in cfg->trusted. Address families follow
 * the operator's intent: an IPv4 source, including one that a dual-stack
 * socket reports as ::ffff:a.b.c.d, matches "ipv4" entries and "ipv6"
 * entries written as ::ffff:a.b.c.d/96..128; a native IPv6 source matches
 * the other "ipv6" entries only. So "ipv6 ::/0" trusts all of IPv6 and no
 * IPv4, and "ipv4 0.0.0.0 0.0.0.0" all of IPv4 and no IPv6.
 */
bool		 trusted_match(const struct config *, const struct sockaddr *);

/* Whether the source is a literal sip-server or session-target address. */
bool		 trusted_target(const struct config *, const struct sockaddr *);

/* Whether the list filters at all: false when it is empty. */
bool		 trusted_list_enforced(const struct config *);

/*
 * The admission rule for an accepted TLS connection, once its handshake is
 * done. profile is the listener's tls-profile, NULL when it has none (then
 * no CN-SAN check applies). cnsan_client_passed is the result of
 * identity_check_client() when the profile asks for it; it is ignored
 * otherwise.
 */
enum trust_decision trusted_admit(const struct config *,
		    const struct tls_profile_config *profile,
		    const struct sockaddr *, bool cnsan_client_passed);

bool		 trust_decision_admits(enum trust_decision);
const char	*trust_decision_name(enum trust_decision);

#endif
