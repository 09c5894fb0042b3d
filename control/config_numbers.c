/*
 * The sipktls stanza's plain numbers: each command's words, the unsigned in
 * struct config it sets, its range and its default. The parser, config_new()
 * and the running-config printer all walk this one table.
 */
#include "autoconf.h"

#include <stddef.h>

#include "config.h"
#include "dataplane/dataplane.h"

#define FIELD(f)	offsetof(struct config, f)

const struct conf_number conf_numbers[CONF_NUM_COUNT] = {
	/* a header must hold a request line; a queue at least one such header */
	[CONF_NUM_DP_MAX_HEADER] = { "dataplane max-header-size",
	    FIELD(dp_max_header), 1024, 65536, DP_DEFAULT_MAX_HEADER },
	[CONF_NUM_DP_MAX_BODY] = { "dataplane max-body-size",
	    FIELD(dp_max_body), 1, 1048576, DP_DEFAULT_MAX_BODY },
	[CONF_NUM_DP_WQ_BYTES] = { "dataplane write-queue bytes",
	    FIELD(dp_wq_bytes), 16384, 67108864, DP_DEFAULT_WQ_BYTES },
	[CONF_NUM_DP_WQ_MSGS] = { "dataplane write-queue messages",
	    FIELD(dp_wq_msgs), 1, 65536, DP_DEFAULT_WQ_MSGS },
	[CONF_NUM_DP_ZC_THRESHOLD] = { "dataplane zero-copy threshold",
	    FIELD(dp_zc_threshold), 4096, 16777216, DP_DEFAULT_ZC_THRESHOLD },
	[CONF_NUM_DP_CONNECT_MS] = { "dataplane backend connect-timeout",
	    FIELD(dp_connect_ms), 100, 60000, DP_DEFAULT_CONNECT_MS },
	[CONF_NUM_DP_LINGER_MS] = { "dataplane close-notify linger",
	    FIELD(dp_linger_ms), 100, 60000, DP_DEFAULT_LINGER_MS },
	[CONF_NUM_CONN_LIMIT] = { "connection limit",
	    FIELD(connection_limit), 1, 1000000, DP_DEFAULT_CONN_LIMIT },
	[CONF_NUM_HS_TIMEOUT] = { "handshake timeout",
	    FIELD(handshake_timeout), 1, 120, CONF_DEFAULT_HS_TIMEOUT },
	[CONF_NUM_HS_PER_SOURCE] = { "handshake limit per-source",
	    FIELD(handshake_per_source), 1, 10000, CONF_DEFAULT_HS_PER_SOURCE },
	[CONF_NUM_TICKETS] = { "session tickets",
	    FIELD(session_tickets), 0, 10, CONF_DEFAULT_TICKETS },
	[CONF_NUM_TICKET_ROTATION] = { "session ticket-key rotation",
	    FIELD(ticket_rotation_hours), 1, 168, CONF_DEFAULT_TICKET_ROTATION },
	[CONF_NUM_KTLS_RECORD_LIMIT] = { "kernel-tls record-limit",
	    FIELD(ktls_record_limit), 1000, CONF_DEFAULT_KTLS_RECORD_LIMIT,
	    CONF_DEFAULT_KTLS_RECORD_LIMIT },
	[CONF_NUM_REVOKE_TIMEOUT] = { "revocation fetch-timeout",
	    FIELD(revocation_fetch_timeout), 1, 60, CONF_DEFAULT_REVOKE_TIMEOUT },
	[CONF_NUM_REVOKE_WAIT] = { "revocation wait",
	    FIELD(revocation_wait), 0, 60000, CONF_DEFAULT_REVOKE_WAIT },
};

unsigned
conf_number_get(const struct config *cfg, enum conf_number_id id)
{
	return *(const unsigned *)(const void *)((const char *)cfg +
	    conf_numbers[id].off);
}

void
conf_number_set(struct config *cfg, enum conf_number_id id, unsigned v)
{
	*(unsigned *)(void *)((char *)cfg + conf_numbers[id].off) = v;
}

void
conf_numbers_reset(struct config *cfg)
{
	for (size_t id = 0; id < CONF_NUM_COUNT; id++)
		conf_number_set(cfg, id, conf_numbers[id].def);
}
