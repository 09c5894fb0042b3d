/*
 * Fuzz target for the SIP stream framer. Built with -DFUZZ_WITH_LIBFUZZER and
 * -fsanitize=fuzzer it is a libFuzzer target; built plainly, main() replays
 * the files and directories named on the command line, so CI needs no clang.
 *
 * Each input is a byte stream, framed under three sets of limits, whole, byte
 * by byte and in random chunks; it aborts when the events differ or a unit
 * breaks what the relay relies on:
 *  - msglen <= the bytes offered; a PING is CRLF CRLF, a PONG a CRLF
 *    that the next octets show to be no ping;
 *  - a MESSAGE is a header section ending at its first CRLF CRLF, within the
 *    header limit, with no CR or LF outside a CRLF, followed by exactly the
 *    Content-Length octets that a naive unfolding reader finds in it (every
 *    such field agreeing), within the body limit; framed alone it is the
 *    same message;
 *  - an ERROR has a printable reason, and stays;
 *  - a final MORE holds no whole message and no header section past the
 *    limit;
 *  - framed as one datagram, a message ends its header at the first CRLF
 *    CRLF and its body within the datagram, and is the stream's first
 *    message whenever the stream had one.
 */
#include "autoconf.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataplane/sipframe.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define BYTEWISE_MAX	8192	/* byte-by-byte costs one call per octet */

static const struct {
	size_t	hdr, body;
} fuzz_limits[] = {
	{ 0, 0 },		/* the defaults: 16 KiB, 64 KiB */
	{ 64, 16 },
	{ 300, 1000 },
};

struct run {
	enum sipframe_result	*res;	/* one per unit, then the final MORE or ERROR */
	size_t			*len;
	size_t			 n;
	char			 reason[SIPFRAME_REASON_MAX];
};

static void	fuzz_fail(const char *, ...) __attribute__((format(printf, 1, 2)));

static void
fuzz_fail(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	fputs("fuzz_sipframe: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static uint32_t
fuzz_rng(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* FNV-1a: the chunking of an input is a function of the input. */
static uint32_t
fuzz_hash(const uint8_t *p, size_t n)
{
	uint32_t	h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h ? h : 1;
}

static bool
ascii_ieq(const uint8_t *p, size_t n, const char *s)
{
	size_t	i;

	if (strlen(s) != n)
		return false;
	for (i = 0; i < n; i++)
		if ((p[i] | 0x20) != s[i])
			return false;
	return true;
}

static bool
is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Past SP, HTAB and fold CRLFs; a CR alone is not whitespace. */
static size_t
skip_lws(const uint8_t *m, size_t p, size_t e)
{
	for (;;) {
		if (p < e && is_wsp(m[p]))
			p++;
		else if (p + 1 < e && m[p] == '\r' && m[p + 1] == '\n')
			p += 2;
		else
			return p;
	}
}

/* The start line, checked naively: one SP after the method and before SIP/2.0. */
static bool
ref_start_line(const uint8_t *m, size_t n)
{
	const uint8_t	*sp1 = memchr(m, ' ', n), *sp2;

	if (n >= 12 && ascii_ieq(m, 7, "sip/2.0") && m[7] == ' ')
		return m[8] >= '0' && m[8] <= '9' && m[9] >= '0' && m[9] <= '9' &&
		    m[10] >= '0' && m[10] <= '9' && m[11] == ' ';
	if (sp1 == NULL || sp1 == m)
		return false;
	sp2 = memchr(sp1 + 1, ' ', n - (size_t)(sp1 + 1 - m));
	return sp2 != NULL && sp2 > sp1 + 1 && (size_t)(sp2 - m) + 8 == n &&
	    ascii_ieq(sp2 + 1, 7, "sip/2.0");
}

/*
 * The Content-Length of a framed message, read the slow and obvious way: split
 * the header section at CRLF, join folded lines, compare names. Returns false
 * if no field or two disagreeing ones; every value must be plain digits.
 */
static bool
ref_content_length(const uint8_t *m, size_t hdrlen, size_t *value)
{
	size_t	s, e, next, c, v;
	bool	found = false;

	s = (size_t)((const uint8_t *)memchr(m, '\n', hdrlen) - m) + 1;
	while (s + 2 < hdrlen) {
		/* the field runs to the CRLF not followed by WSP */
		for (e = s; ; e++) {
			if (m[e] == '\r' && m[e + 1] == '\n' && !is_wsp(m[e + 2]))
				break;
		}
		next = e + 2;
		for (c = s; c < e && m[c] != ':'; c++)
			;
		if (c == e)
			fuzz_fail("framed message has a field without a colon");
		v = c;
		while (v > s && is_wsp(m[v - 1]))
			v--;
		if (ascii_ieq(m + s, v - s, "content-length") ||
		    ascii_ieq(m + s, v - s, "l")) {
			size_t	p = c + 1, digits = 0, sig = 0, val = 0;

			p = skip_lws(m, p, e);
			for (; p < e && m[p] >= '0' && m[p] <= '9'; p++, digits++) {
				if (sig == 0 && m[p] == '0')
					continue;	/* leading zeros */
				if (++sig > 15)
					fuzz_fail("Content-Length too long in a framed message");
				val = val * 10 + (size_t)(m[p] - '0');
			}
			p = skip_lws(m, p, e);
			if (digits == 0 || p != e)
				fuzz_fail("framed message with a non-numeric Content-Length");
			if (found && val != *value)
				return false;
			*value = val;
			found = true;
		}
		s = next;
	}
	return found;
}

static void
check_message(const uint8_t *m, size_t len, size_t max_header, size_t max_body)
{
	struct sipframe		 sf;
	size_t			 hdr, cl, i, ml;
	const uint8_t		*crlf2;
	const char		*reason;

	if (len < 2 || (m[0] == '\r' && m[1] == '\n'))
		fuzz_fail("message of %zu octets starts with CRLF", len);
	if (!sipframe_header_span(m, len, &hdr))
		fuzz_fail("message without CRLF CRLF");
	crlf2 = memmem(m, len, "\r\n\r\n", 4);
	if ((size_t)(crlf2 - m) + 4 != hdr || hdr > max_header)
		fuzz_fail("header section of %zu octets (limit %zu)", hdr, max_header);
	for (i = 0; i < hdr; i++) {
		if (m[i] == '\n' && (i == 0 || m[i - 1] != '\r'))
			fuzz_fail("bare LF at %zu in a framed header section", i);
		if (m[i] == '\r' && m[i + 1] != '\n')
			fuzz_fail("bare CR at %zu in a framed header section", i);
	}
	if (!ref_start_line(m, (size_t)((const uint8_t *)memchr(m, '\n', hdr) - m) - 1))
		fuzz_fail("framed message with a bad start line");
	if (!ref_content_length(m, hdr, &cl))
		fuzz_fail("framed message without one agreeing Content-Length");
	if (cl != len - hdr || cl > max_body)
		fuzz_fail("body of %zu octets, Content-Length %zu (limit %zu)",
		    len - hdr, cl, max_body);
	sipframe_init(&sf, max_header, max_body);
	if (sipframe_next(&sf, m, len, &ml, &reason) != SIPFRAME_MESSAGE || ml != len)
		fuzz_fail("message framed differently alone");
}

/*
 * What is left when the stream ends in MORE is a keep-alive cut short, a
 * header section still under the limit, or a message whose body is short.
 */
static void
check_pending(const uint8_t *m, size_t len, size_t max_header, size_t max_body)
{
	const uint8_t	*crlf2;
	size_t		 hdr, cl;

	if (len == 0 || (len <= 3 && memcmp(m, "\r\n\r", len) == 0))
		return;
	crlf2 = memmem(m, len < max_header ? len : max_header, "\r\n\r\n", 4);
	if (crlf2 == NULL) {
		if (len >= max_header)
			fuzz_fail("MORE with %zu octets and no header end (limit %zu)",
			    len, max_header);
		return;
	}
	hdr = (size_t)(crlf2 - m) + 4;
	if (!ref_content_length(m, hdr, &cl) || cl > max_body)
		fuzz_fail("MORE after a header section that cannot be framed");
	if (len >= hdr + cl)
		fuzz_fail("MORE holding a whole message of %zu octets", hdr + cl);
}

/* Frames data as a relay would; chunk 0 means whole, 1 byte by byte, else random. */
static void
frame_run(const uint8_t *data, size_t size, size_t max_header, size_t max_body,
    int chunk, struct run *r)
{
	struct sipframe		 sf;
	enum sipframe_result	 res;
	uint32_t		 rng = fuzz_hash(data, size);
	size_t			 avail = 0, start = 0, msglen, step, win;
	const char		*reason;
	uint8_t			*copy;

	r->n = 0;
	r->reason[0] = '\0';
	sipframe_init(&sf, max_header, max_body);
	for (;;) {
		step = chunk == 0 ? size : chunk == 1 ? 1 :
		    1 + fuzz_rng(&rng) % (1u << (fuzz_rng(&rng) % 10));
		avail += step < size - avail ? step : size - avail;
		for (;;) {
			/* random chunks get exact-size copies, so ASan sees over-reads */
			win = avail - start;
			copy = NULL;
			if (chunk > 1 && win > 0 && (copy = malloc(win)) != NULL)
				memcpy(copy, data + start, win);
			res = sipframe_next(&sf, copy ? copy : data + start, win,
			    &msglen, &reason);
			free(copy);
			if (msglen > win)
				fuzz_fail("msglen %zu > %zu offered", msglen, win);
			if (res == SIPFRAME_MORE)
				break;
			r->res[r->n] = res;
			r->len[r->n++] = msglen;
			if (res == SIPFRAME_ERROR) {
				snprintf(r->reason, sizeof(r->reason), "%s", reason);
				return;
			}
			if (msglen == 0)
				fuzz_fail("unit of 0 octets");
			start += msglen;
		}
		if (avail == size)
			break;
	}
	r->res[r->n] = SIPFRAME_MORE;
	r->len[r->n++] = size - start;
}

/* The invariants of a whole-stream run. */
static void
check_run(const uint8_t *data, size_t size, size_t max_header, size_t max_body,
    const struct run *r)
{
	struct sipframe		 sf;
	size_t			 i, at = 0, ml;
	const char		*reason, *p;

	for (i = 0; i < r->n; i++) {
		switch (r->res[i]) {
		case SIPFRAME_PING:
			if (r->len[i] != 4 || memcmp(data + at, "\r\n\r\n", 4))
				fuzz_fail("bad PING at %zu", at);
			break;
		case SIPFRAME_PONG:
			/* known to be no ping: neither CRLF CRLF nor cut short */
			if (r->len[i] != 2 || memcmp(data + at, "\r\n", 2) ||
			    at + 2 >= size || (data[at + 2] == '\r' &&
			    (at + 3 >= size || data[at + 3] == '\n')))
				fuzz_fail("bad PONG at %zu", at);
			break;
		case SIPFRAME_MESSAGE:
			check_message(data + at, r->len[i], max_header, max_body);
			break;
		case SIPFRAME_ERROR:
			for (p = r->reason; *p; p++)
				if (*p < 0x20 || *p > 0x7e)
					fuzz_fail("unprintable reason");
			if (p == r->reason)
				fuzz_fail("empty reason");
			/* a fresh framer finds it again, and it stays */
			sipframe_init(&sf, max_header, max_body);
			if (sipframe_next(&sf, data + at, size - at, &ml, &reason) !=
			    SIPFRAME_ERROR || strcmp(reason, r->reason))
				fuzz_fail("error at %zu not found again", at);
			if (sipframe_next(&sf, data + at, size - at, &ml, &reason) !=
			    SIPFRAME_ERROR || strcmp(reason, r->reason))
				fuzz_fail("error did not stay");
			break;
		case SIPFRAME_MORE:
			if (i != r->n - 1 || r->len[i] != size - at)
				fuzz_fail("MORE with %zu left", r->len[i]);
			check_pending(data + at, size - at, max_header, max_body);
			break;
		}
		at += r->res[i] == SIPFRAME_ERROR ? 0 : r->len[i];
	}
}

static void
compare_runs(const struct run *a, const struct run *b, int chunk)
{
	size_t	i;

	if (a->n != b->n)
		fuzz_fail("chunking %d: %zu events, whole: %zu", chunk, b->n, a->n);
	for (i = 0; i < a->n; i++)
		if (a->res[i] != b->res[i] || a->len[i] != b->len[i])
			fuzz_fail("chunking %d: event %zu is %d/%zu, whole: %d/%zu",
			    chunk, i, b->res[i], b->len[i], a->res[i], a->len[i]);
	if (strcmp(a->reason, b->reason))
		fuzz_fail("chunking %d: reason \"%s\", whole: \"%s\"", chunk,
		    b->reason, a->reason);
}

/*
 * The same octets as one datagram: a MESSAGE ends its header at the first
 * CRLF CRLF and its body within the datagram, and wherever the stream framer
 * found a whole first message the datagram framer finds that same message.
 */
static void
check_datagram(const uint8_t *data, size_t size, size_t max_header,
    size_t max_body, const struct run *stream)
{
	struct sipframe		 sf;
	struct sipframe_dgram	 d;
	const char		*reason;
	const uint8_t		*end;
	enum sipframe_result	 res;

	sipframe_init(&sf, max_header, max_body);
	res = sipframe_datagram(&sf, data, size, &d, &reason);
	if (stream->n > 0 && stream->res[0] == SIPFRAME_MESSAGE &&
	    (res != SIPFRAME_MESSAGE || !d.has_cl ||
	    d.hdrlen + d.bodylen != stream->len[0]))
		fuzz_fail("datagram framing differs from the stream's first message");
	if (res == SIPFRAME_ERROR && (reason == NULL || *reason == '\0'))
		fuzz_fail("datagram error without a reason");
	if ((res == SIPFRAME_PING && (size != 4 || memcmp(data, "\r\n\r\n", 4))) ||
	    (res == SIPFRAME_PONG && (size != 2 || memcmp(data, "\r\n", 2))))
		fuzz_fail("datagram keep-alive that is not exactly one");
	if (res != SIPFRAME_MESSAGE)
		return;
	end = memmem(data, size, "\r\n\r\n", 4);
	if (end == NULL || (size_t)(end - data) + 4 != d.hdrlen ||
	    d.hdrlen > max_header || d.hdrlen + d.bodylen > size ||
	    d.bodylen > max_body || (!d.has_cl && d.hdrlen + d.bodylen != size))
		fuzz_fail("datagram message %zu + %zu of %zu octets is wrong",
		    d.hdrlen, d.bodylen, size);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* every unit but the last takes at least two octets */
	size_t		 cap = size / 2 + 2, l;
	struct run	 whole, part;
	int		 chunk;

	whole.res = malloc(cap * sizeof(*whole.res));
	whole.len = malloc(cap * sizeof(*whole.len));
	part.res = malloc(cap * sizeof(*part.res));
	part.len = malloc(cap * sizeof(*part.len));
	if (!whole.res || !whole.len || !part.res || !part.len)
		fuzz_fail("out of memory");
	for (l = 0; l < sizeof(fuzz_limits) / sizeof(fuzz_limits[0]); l++) {
		size_t	mh = fuzz_limits[l].hdr, mb = fuzz_limits[l].body;

		frame_run(data, size, mh, mb, 0, &whole);
		check_run(data, size, mh ? mh : SIPFRAME_MAX_HEADER_DEFAULT,
		    mb ? mb : SIPFRAME_MAX_BODY_DEFAULT, &whole);
		check_datagram(data, size, mh ? mh : SIPFRAME_MAX_HEADER_DEFAULT,
		    mb ? mb : SIPFRAME_MAX_BODY_DEFAULT, &whole);
		for (chunk = size <= BYTEWISE_MAX ? 1 : 2; chunk <= 2; chunk++) {
			frame_run(data, size, mh, mb, chunk, &part);
			compare_runs(&whole, &part, chunk);
		}
	}
	free(whole.res);
	free(whole.len);
	free(part.res);
	free(part.len);
	return 0;
}

#ifndef FUZZ_WITH_LIBFUZZER
static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*buf;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 1;
}

/* Replays a file, or every regular file in a directory (not recursively). */
static int
replay_path(const char *path)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 sub[4096];
	int		 n = 0, r;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (de->d_name[0] == '.' || stat(sub, &st) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if ((r = replay_file(sub)) < 0) {
			closedir(d);
			return -1;
		}
		n += r;
	}
	closedir(d);
	return n;
}

int
main(int argc, char **argv)
{
	int	i, n, total = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: fuzz_sipframe FILE|DIR...\n");
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if ((n = replay_path(argv[i])) < 0)
			return 1;
		total += n;
	}
	printf("fuzz_sipframe: %d inputs replayed, all invariants held\n", total);
	return 0;
}
#endif
