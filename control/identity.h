/*
 * Peer identity: does a certificate name the peer we meant to reach, or one
 * the profile's "cn-san" list permits? Pure functions over an X509, called
 * from the handshake's verify callback; no I/O, no global state.
 */
#ifndef SIPKTLS_IDENTITY_H
#define SIPKTLS_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

#include "config.h"

/*
 * ID_NO_MATCH is 0 so that a result left zeroed by mistake refuses the peer.
 */
enum id_result {
	ID_NO_MATCH = 0,
	ID_MATCH = 1,
};

/*
 * Flags.
 *
 * ID_STRICT follows RFC 5922 section 7 to the letter: no wildcards; a "sip"
 * URI SAN without a user part names the domain, and only when the
 * certificate has none do dNSName SANs count; the Common Name counts only
 * when the certificate has no subjectAltName extension at all. "sips" URIs
 * are ignored, as section 7.1 accepts the "sip" scheme only.
 *
 * Without ID_STRICT (the default, the guide's "CN or SAN"): the Common Name,
 * every dNSName and every sip: or sips: URI SAN without a user part are all
 * candidates, and a dNSName or Common Name may be a wildcard of the form
 * "*.label.label[...]". The Common Name counts even when SANs are present,
 * because CUBE matches "CN or SAN" and carriers' private CAs often put the
 * SBC's name only in the CN; RFC 6125 and RFC 9525 would not (ID_STRICT).
 *
 * ID_ADDRESS says the reference given to identity_check_server() is an IP
 * address literal (a sip-server written ipv4: or ipv6:). It is then compared
 * octet for octet with iPAddress SANs, and with nothing else: the text of a
 * Common Name or dNSName never stands for an address. Without the flag, a
 * reference that is an address never matches. The caller sets it from the
 * configured target's kind rather than from the text, so that a name is
 * never reinterpreted as an address.
 */
#define ID_STRICT	0x01u
#define ID_ADDRESS	0x02u

/* A reason line holds the names found and what was expected; 512 fits most. */
#define ID_WHY_LEN	512

/*
 * Outbound ("cn-san validate server" or "bidirectional"): does the server's
 * certificate name the sip-server FQDN (or, with ID_ADDRESS, its address)?
 * On return, why (if not NULL) holds one line for the log: on a match, the
 * name that matched; otherwise "certificate names: CN=..., DNS:...;
 * expected sip.acme.com", each unusable name followed by why in brackets.
 */
enum id_result	 identity_check_server(X509 *peer, const char *fqdn,
		    unsigned flags, char *why, size_t whylen);

/*
 * Inbound ("cn-san validate client" or "bidirectional"): does the client's
 * certificate name any of the n FQDNs of the profile's cn-san list? The
 * entries are plain names (no wildcards, no addresses), as "cn-san INDEX
 * FQDN" accepts them. ID_ADDRESS is ignored.
 */
enum id_result	 identity_check_client(X509 *peer,
		    const struct cnsan_entry *list, size_t n, unsigned flags,
		    char *why, size_t whylen);

/*
 * Which check a profile asks for on a connection: the server check on
 * connections we originate, the client check on those we accept.
 */
bool		 identity_applies(enum cnsan_mode mode, bool originated);

/*
 * For the connection table: the Common Name and the first SANs, e.g.
 * "CN=sip.acme.co, DNS:sip.acme.co, DNS:*.acme.co, +2 more". Bytes that are
 * not printable ASCII are written as \xHH. Returns buf.
 */
const char	*identity_summary(X509 *peer, char *buf, size_t len);

#endif
