// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc-proxy: a drop-in for the stock m4-proxy of the Portenta X8, over
 * libm4rpc. Port 5000 takes register(port, [names]) (register.c), port
 * 5001 clients' calls to the M4 (calls.c); the M4's calls of registered
 * names go to the registrants (serve.c). This file: options, listening
 * sockets, and a thread for each connection.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proxy.h"

#define LISTEN_MAX	16
#define DEFAULT_STATE	"/run/m4rpc-proxy/registrations.json"

struct proxy_config proxy_cfg = {
	.call_timeout_ms = 2000,
	.serve_timeout_ms = 1000,
	.state_file = DEFAULT_STATE,
	.verbose = LOG_INFO_,
};

void proxy_log(int level, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	if (level > proxy_cfg.verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One write per line: threads do not interleave within one. */
	fprintf(stderr, "m4rpc-proxy: %s\n", line);
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: m4rpc-proxy [OPTION]...\n"
"The stock m4-proxy's service over /dev/m4rpcN (libm4rpc), for the X8's\n"
"containers, unchanged:\n"
"  port 5000  register(port, [names]): the M4's calls and notifications of\n"
"             those names go to 127.0.0.1:PORT (a new connection each);\n"
"             kept after the registering connection closes, and across\n"
"             restarts (the state file)\n"
"  port 5001  msgpack-rpc calls and notifications to the M4: one per\n"
"             connection, or many in flight on one, replies matched by msgid\n"
"\n"
"  -d, --device N         the board, /dev/m4rpcN (default 0)\n"
"  -l, --listen ADDR      listen on ADDR (repeatable; IPv4 or IPv6). Default:\n"
"                         127.0.0.1 and the docker bridge's address (docker0,\n"
"                         172.17.0.1 as a rule), what containers reach as\n"
"                         m4-proxy / host-gateway; NOT the LAN: the M4 takes\n"
"                         calls from anyone who reaches these ports.\n"
"                         0.0.0.0 listens everywhere, as the stock proxy did\n"
"      --register-port P  (default 5000)\n"
"      --call-port P      (default 5001)\n"
"  -t, --timeout MS       a call to the M4 gets an error reply after MS ms\n"
"                         without the M4's reply (default 2000)\n"
"      --serve-timeout MS the M4's call gets an error reply when the\n"
"                         registrant has not answered within MS ms (1000)\n"
"      --state FILE       registrations kept here (default\n"
"                         " DEFAULT_STATE "; \"\" none)\n"
"  -v, --verbose          log every call;  -q, --quiet  only errors\n"
"  -h, --help             this text\n"
"Logs go to stderr (the journal). Exit status: 0 never (it serves until\n"
"stopped), 2 usage, 1 no address to listen on.\n");
}

static void *conn_thread(void *arg)
{
	long v = (long)arg;
	int fd = (int)(v >> 1);

	if (v & 1)
		register_conn(fd);
	else
		calls_conn(fd);
	return NULL;
}

struct listener {
	int fd;
	bool reg;
};

static void *accept_thread(void *arg)
{
	struct listener *l = arg;
	pthread_attr_t at;
	pthread_t th;
	int fd, one = 1;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	for (;;) {
		fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EINTR && errno != ECONNABORTED) {
				proxy_log(LOG_ERR_, "accept: %s", strerror(errno));
				sleep(1);
			}
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&th, &at, conn_thread,
				   (void *)((long)fd << 1 | l->reg))) {
			proxy_log(LOG_ERR_, "no thread for a new connection: closing it");
			close(fd);
		}
	}
	return NULL;
}

static int listen_on(const char *addr, unsigned int port, bool reg)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	struct listener *l;
	char ps[8];
	pthread_t th;
	int fd, one = 1;

	snprintf(ps, sizeof(ps), "%u", port);
	if (getaddrinfo(addr, ps, &hints, &ai)) {
		proxy_log(LOG_ERR_, "'%s' is no IP address", addr);
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd >= 0 && ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128)) {
		proxy_log(LOG_ERR_, "cannot listen on %s port %u: %s", addr, port,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	l = malloc(sizeof(*l));
	if (!l) {
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->reg = reg;
	if (pthread_create(&th, NULL, accept_thread, l)) {
		close(fd);
		free(l);
		return -1;
	}
	proxy_log(LOG_INFO_, "listening on %s port %u (%s)", addr, port,
		  reg ? "register" : "calls");
	return 0;
}

/* The docker bridge's IPv4 address into @buf, if there is a bridge. */
static bool docker_bridge(char *buf, size_t n)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, "docker0"))
			continue;
		inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, buf, n);
		found = true;
	}
	freeifaddrs(ifa);
	return found;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (!*s || *end || errno || *v < min || *v > max || *s == '-') {
		fprintf(stderr, "m4rpc-proxy: '%s': a number %lu..%lu is needed\nTry 'm4rpc-proxy --help'.\n",
			s, min, max);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_REG = 256, O_CALL, O_SERVE_TO, O_STATE };
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "register-port", required_argument, NULL, O_REG },
		{ "call-port", required_argument, NULL, O_CALL },
		{ "timeout", required_argument, NULL, 't' },
		{ "serve-timeout", required_argument, NULL, O_SERVE_TO },
		{ "state", required_argument, NULL, O_STATE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL }
	};
	const char *addrs[LISTEN_MAX];
	unsigned long reg_port = 5000, call_port = 5001, v;
	char bridge[INET_ADDRSTRLEN];
	int naddr = 0, c, ok = 0, i;
	sigset_t set;

	while ((c = getopt_long(argc, argv, "d:l:t:vqh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (parse_uint(optarg, 0, 1023, &v))
				return 2;
			proxy_cfg.board = v;
			break;
		case 'l':
			if (naddr == LISTEN_MAX) {
				fprintf(stderr, "m4rpc-proxy: at most %d addresses\n", LISTEN_MAX);
				return 2;
			}
			addrs[naddr++] = optarg;
			break;
		case O_REG:
		case O_CALL:
			if (parse_uint(optarg, 1, 65535, &v))
				return 2;
			*(c == O_REG ? &reg_port : &call_port) = v;
			break;
		case 't':
		case O_SERVE_TO:
			if (parse_uint(optarg, 1, 3600000, &v))
				return 2;
			*(c == 't' ? &proxy_cfg.call_timeout_ms :
			  &proxy_cfg.serve_timeout_ms) = v;
			break;
		case O_STATE:
			proxy_cfg.state_file = optarg;
			break;
		case 'v':
			proxy_cfg.verbose = LOG_DEBUG_;
			break;
		case 'q':
			proxy_cfg.verbose = LOG_ERR_;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'm4rpc-proxy --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "m4rpc-proxy: '%s': no arguments are taken\nTry 'm4rpc-proxy --help'.\n",
			argv[optind]);
		return 2;
	}
	if (reg_port == call_port) {
		fprintf(stderr, "m4rpc-proxy: the register and call ports must differ\n");
		return 2;
	}
	if (!naddr) {
		addrs[naddr++] = "127.0.0.1";
		if (docker_bridge(bridge, sizeof(bridge)))
			addrs[naddr++] = bridge;
		else
			proxy_log(LOG_INFO_, "no docker bridge (docker0): containers cannot reach the proxy until it is restarted after docker");
	}
	signal(SIGPIPE, SIG_IGN);
	registry_load();
	for (i = 0; i < naddr; i++) {
		ok += !listen_on(addrs[i], reg_port, true);
		ok += !listen_on(addrs[i], call_port, false);
	}
	if (!ok) {
		proxy_log(LOG_ERR_, "no address to listen on: check --listen, or whether another proxy (the stock m4-proxy?) holds the ports");
		return 1;
	}
	/* The work is the other threads'; this one waits for the end. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &c);
	proxy_log(LOG_INFO_, "stopping (signal %d); registrations stay in %s", c,
		  *proxy_cfg.state_file ? proxy_cfg.state_file : "(no state file)");
	return 0;
}
