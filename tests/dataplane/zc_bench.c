/*
 * Copying IORING_OP_SEND against IORING_OP_SEND_ZC on one TCP stream, sent
 * the way the dataplane sends: one send in flight, a buffer reused only after
 * its notification. Prints throughput, sender CPU per send and how many
 * zero-copy sends the kernel copied anyway. Used to pick SEND_ZC's threshold.
 *
 *   zc_bench -R -l 127.0.0.1:0             receiver: prints "port N", discards
 *   zc_bench -c 127.0.0.1:PORT -s 4096 -n 20000 -m send|zc
 */
#include "autoconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <liburing.h>

#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE	(1U << 3)
#endif
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED	(1U << 31)
#endif

#define NBUF	64

static int
parse(const char *s, struct sockaddr_in *sin)
{
	char	host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int
receiver(const char *addr)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	static char		buf[1 << 20];
	int			lfd, fd, one = 1;

	if (parse(addr, &sin) == -1)
		return 2;
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 || listen(lfd, 8) == -1) {
		perror("zc_bench: listen");
		return 1;
	}
	getsockname(lfd, (struct sockaddr *)&sin, &len);
	printf("port %u\n", ntohs(sin.sin_port));
	fflush(stdout);
	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
	}
	return 0;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int
sender(const char *addr, size_t size, long count, bool zc)
{
	struct io_uring		 ring;
	struct io_uring_cqe	*cqe;
	struct sockaddr_in	 sin;
	char			*bufs[NBUF];
	bool			 busy[NBUF] = { false };
	long			 sent = 0, copied = 0, notifs = 0, zcs = 0;
	size_t			 off = 0;
	int			 fd, cur = 0, inflight = 0, one = 1, rc;
	bool			 sending = false;
	unsigned		 zflags = IORING_SEND_ZC_REPORT_USAGE;
	double			 t0, c0, t, c;

	if (parse(addr, &sin) == -1)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(fd, IPPROTO_TCP, 1 /* TCP_NODELAY */, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		perror("zc_bench: connect");
		return 1;
	}
	if ((rc = io_uring_queue_init(256, &ring, 0)) < 0) {
		fprintf(stderr, "zc_bench: ring: %s\n", strerror(-rc));
		return 1;
	}
	for (int i = 0; i < NBUF; i++) {
		bufs[i] = malloc(size);
		memset(bufs[i], 'z', size);
	}
	t0 = now_s();
	c0 = cpu_s();
	while (sent < count || inflight > 0) {
		if (!sending && sent < count && !busy[cur]) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (zc) {
				io_uring_prep_send_zc(sqe, fd, bufs[cur] + off, size - off, 0,
				    zflags);
				busy[cur] = true;
				inflight++;	/* the notification */
				zcs++;
			} else
				io_uring_prep_send(sqe, fd, bufs[cur] + off, size - off, 0);
			io_uring_sqe_set_data64(sqe, (uint64_t)cur);
			sending = true;
			inflight++;
		}
		if ((rc = io_uring_submit_and_wait(&ring, 1)) < 0) {
			fprintf(stderr, "zc_bench: submit: %s\n", strerror(-rc));
			return 1;
		}
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			int	b = (int)cqe->user_data;

			if (cqe->flags & IORING_CQE_F_NOTIF) {
				notifs++;
				if ((uint32_t)cqe->res & IORING_NOTIF_USAGE_ZC_COPIED)
					copied++;
				busy[b] = false;
				inflight--;
			} else {
				inflight--;
				sending = false;
				if (cqe->res == -EINVAL && zc && (zflags & IORING_SEND_ZC_REPORT_USAGE)) {
					zflags = 0;	/* older kernel: no usage report */
				} else if (cqe->res < 0) {
					fprintf(stderr, "zc_bench: send: %s\n", strerror(-cqe->res));
					return 1;
				} else if (off + (size_t)cqe->res < size) {
					off += (size_t)cqe->res;	/* short send */
				} else {
					off = 0;
					sent++;
					cur = (cur + 1) % NBUF;
				}
				if (zc && !(cqe->flags & IORING_CQE_F_MORE)) {
					busy[b] = false;
					inflight--;
				}
			}
			io_uring_cqe_seen(&ring, cqe);
		}
	}
	t = now_s() - t0;
	c = cpu_s() - c0;
	printf("mode %s size %zu sends %ld MB/s %.1f cpu_us_per_send %.2f "
	    "zc_sends %ld notifs %ld copied %ld\n", zc ? "zc" : "send", size, sent,
	    (double)size * (double)sent / t / 1e6, c / (double)sent * 1e6, zcs, notifs,
	    copied);
	close(fd);
	io_uring_queue_exit(&ring);
	for (int i = 0; i < NBUF; i++)
		free(bufs[i]);
	return 0;
}

int
main(int argc, char *argv[])
{
	const char	*addr = NULL;
	bool		 recv_mode = false, zc = false;
	size_t		 size = 4096;
	long		 count = 20000;
	int		 ch;

	while ((ch = getopt(argc, argv, "Rl:c:s:n:m:")) != -1) {
		switch (ch) {
		case 'R': recv_mode = true; break;
		case 'l':
		case 'c': addr = optarg; break;
		case 's': size = (size_t)atol(optarg); break;
		case 'n': count = atol(optarg); break;
		case 'm': zc = strcmp(optarg, "zc") == 0; break;
		default:
			fprintf(stderr, "usage: zc_bench -R -l addr:port | -c addr:port "
			    "-s size -n count -m send|zc\n");
			return 2;
		}
	}
	if (addr == NULL)
		return 2;
	return recv_mode ? receiver(addr) : sender(addr, size, count, zc);
}
