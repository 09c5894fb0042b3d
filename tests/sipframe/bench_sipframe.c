/*
 * Micro-benchmark of the SIP stream framer: frames 1,000,000 OPTIONS (~500 B)
 * and INVITE-with-SDP (~1.5 KB) messages fed in random chunk sizes, and prints
 * ns/message and MB/s per chunking. Only the framer is timed, not copies, and
 * in CPU time of this thread: per-core cost, whatever else the machine runs.
 *   bench_sipframe [MESSAGES]
 */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/sipframe.h"

#define DISTINCT	4096	/* messages in the stream, replayed until done */

static uint32_t
bench_rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static const char options_fmt[] =
	"OPTIONS sip:+4930%07u@trunk.example.net:5061;transport=tls SIP/2.0\r\n"
	"Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK-%08x-1;rport\r\n"
	"Max-Forwards: 70\r\n"
	"To: <sip:+4930%07u@trunk.example.net>\r\n"
	"From: <sip:ping@sbc.example.com>;tag=%08x\r\n"
	"Call-ID: %08x-options@sbc.example.com\r\n"
	"CSeq: %u OPTIONS\r\n"
	"Contact: <sip:ping@192.0.2.10:5061;transport=tls>\r\n"
	"Accept: application/sdp\r\n"
	"User-Agent: sipktls-bench\r\n"
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK\r\n"
	"Content-Length: 0\r\n"
	"\r\n";

static const char invite_fmt[] =
	"INVITE sip:+4930%07u@trunk.example.net:5061;transport=tls SIP/2.0\r\n"
	"Via: SIP/2.0/TLS 192.0.2.10:5061;branch=z9hG4bK-%08x-1;rport\r\n"
	"Max-Forwards: 70\r\n"
	"To: <sip:+4930%07u@trunk.example.net>\r\n"
	"From: \"Caller\" <sip:+4989%07u@sbc.example.com>;tag=%08x\r\n"
	"Call-ID: %08x-invite@sbc.example.com\r\n"
	"CSeq: %u INVITE\r\n"
	"Contact: <sip:+4989@192.0.2.10:5061;transport=tls>\r\n"
	"Record-Route: <sip:192.0.2.10:5061;transport=tls;lr>\r\n"
	"Supported: 100rel, timer, replaces\r\n"
	"Session-Expires: 1800;refresher=uac\r\n"
	"Min-SE: 90\r\n"
	"P-Asserted-Identity: <sip:+4989%07u@sbc.example.com>\r\n"
	"Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: %zu\r\n"
	"\r\n"
	"%s";

static const char sdp_fmt[] =
	"v=0\r\n"
	"o=- %u %u IN IP4 192.0.2.10\r\n"
	"s=-\r\n"
	"c=IN IP4 192.0.2.10\r\n"
	"t=0 0\r\n"
	"m=audio %u RTP/SAVP 8 0 18 101\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:32\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:18 G729/8000\r\n"
	"a=fmtp:18 annexb=no\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\n"
	"a=ptime:20\r\n"
	"a=maxptime:40\r\n"
	"a=sendrecv\r\n"
	"a=rtcp-mux\r\n"
	"a=label:main-audio-stream-of-this-call-with-a-long-label\r\n"
	"m=video %u RTP/SAVP 96\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32\r\n"
	"a=rtpmap:96 H264/90000\r\n"
	"a=fmtp:96 profile-level-id=42e01f;packetization-mode=1\r\n"
	"a=sendrecv\r\n";

/* Appends one message to s at n; returns its length. */
static size_t
bench_message(char *s, size_t room, unsigned i, uint32_t *rng)
{
	char		sdp[1024];
	unsigned	r = bench_rng(rng);
	int		n;

	if (i % 2 == 0)
		n = snprintf(s, room, options_fmt, r % 10000000, r, r % 10000000,
		    r ^ 0x5a5a, r, i);
	else {
		snprintf(sdp, sizeof(sdp), sdp_fmt, r, r, 10000 + r % 50000,
		    10002 + r % 50000);
		n = snprintf(s, room, invite_fmt, r % 10000000, r, r % 10000000,
		    r % 9999999, r ^ 0xa5a5, r, i, r % 9999999, strlen(sdp), sdp);
	}
	if (n < 0 || (size_t)n >= room) {
		fprintf(stderr, "bench_sipframe: stream buffer too small\n");
		exit(1);
	}
	return (size_t)n;
}

static double
bench_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Frames the stream over and over until TOTAL messages came out, each read
 * delivering 1..max_chunk bytes (0: everything buffered at once).
 */
static void
bench_run(const char *label, const uint8_t *stream, size_t len, size_t total,
    size_t max_chunk)
{
	struct sipframe		 sf;
	enum sipframe_result	 res;
	uint32_t		 rng = 20240611;
	size_t			 done = 0, bytes = 0, avail, start, msglen;
	const char		*reason;
	double			 t0, dt;

	sipframe_init(&sf, 0, 0);
	t0 = bench_now();
	while (done < total) {
		avail = start = 0;
		while (avail < len) {
			avail += max_chunk ? 1 + bench_rng(&rng) % max_chunk : len;
			if (avail > len)
				avail = len;
			while ((res = sipframe_next(&sf, stream + start,
			    avail - start, &msglen, &reason)) == SIPFRAME_MESSAGE) {
				start += msglen;
				done++;
			}
			if (res != SIPFRAME_MORE) {
				fprintf(stderr, "bench_sipframe: %s\n",
				    reason ? reason : "unexpected keep-alive");
				exit(1);
			}
		}
		if (start != len) {
			fprintf(stderr, "bench_sipframe: stream not framed whole\n");
			exit(1);
		}
		bytes += len;
	}
	dt = bench_now() - t0;
	printf("%-22s %9zu msgs %7.1f MB  %7.1f ns/msg  %8.0f MB/s  %6.2f Mmsg/s\n",
	    label, done, (double)bytes / 1e6, dt * 1e9 / (double)done,
	    (double)bytes / 1e6 / dt, (double)done / dt / 1e6);
}

int
main(int argc, char **argv)
{
	size_t		 total = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	size_t		 room = DISTINCT * 2048, len = 0, i, n, sum[2] = { 0, 0 };
	uint32_t	 rng = 1;
	char		*stream;

	if (total == 0 || (stream = malloc(room)) == NULL)
		return 1;
	for (i = 0; i < DISTINCT; i++) {
		n = bench_message(stream + len, room - len, (unsigned)i, &rng);
		sum[i % 2] += n;
		len += n;
	}
	/* whole passes of the stream: round the count up to them */
	total = (total + DISTINCT - 1) / DISTINCT * DISTINCT;
	printf("stream: %d distinct messages, OPTIONS %.0f B and INVITE with SDP "
	    "%.0f B on average, alternating\n", DISTINCT,
	    (double)sum[0] / (DISTINCT / 2), (double)sum[1] / (DISTINCT / 2));
	bench_run("all buffered", (uint8_t *)stream, len, total, 0);
	bench_run("chunks 1..16384", (uint8_t *)stream, len, total, 16384);
	bench_run("chunks 1..1500", (uint8_t *)stream, len, total, 1500);
	bench_run("chunks 1..64", (uint8_t *)stream, len, total, 64);
	free(stream);
	return 0;
}
