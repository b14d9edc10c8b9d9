// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc-sim: the H7 + M4 emulator (libh7emu, emu/) attached to a simulated
 * board of the m4rpc_sim kernel module, /dev/m4rpc-simN. The emulator runs
 * in a thread; this one handles signals, statistics and the optional
 * command stream on stdin. What the options set is the library's
 * (h7emu_config_set(): names, ranges, syntax); this file only maps the
 * command line and the commands onto it.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <linux/m4rpc_sim.h>

#include "h7emu.h"

static const char *prog = "m4rpc-sim";

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [OPTION]...\n"
"Emulate the Portenta X8's STM32H7 firmware and the M4's Arduino sketch on\n"
"the slave end of /dev/m4rpc-simN (kernel module m4rpc_sim), as the spec\n"
"docs/x8h7-link.md describes them, bugs and limits included.\n"
"\n"
"The board\n"
"  -b, --board N          attach to /dev/m4rpc-simN (default 0)\n"
"  -s, --sketch NAME      the M4's sketch (default sensors), one of:\n",
		prog);
	h7emu_sketch_help(f);
	fprintf(f,
"      --fw-version STR   FW_VERSION reply (default 0.0.5), at most 64 chars\n"
"      --uid HEX          GET_UID reply, 24 hex digits\n"
"      --boot-m4 V        the M4 and the BOOT_M4 reply: -1 no M4 program\n"
"                         (M4 absent), 0 M4 runs without RPC, 1 M4 runs with\n"
"                         RPC (default). UI messages to an M4 without RPC\n"
"                         are dropped\n"
"      --pass-us N        H7 main-loop tick, microseconds (default 1000); passes\n"
"                         also run after every transfer and M4 message\n"
"      --tick-only        passes on the tick alone, no wake-ups (the\n"
"                         emulator's timing before it followed the spec)\n"
"      --m4-slots N       rpmsg buffers from the H7 to the M4, 1..64 (16)\n"
"      --seed N           seed of every fault's random draws (default 1)\n"
"\n"
"The traffic sketch (message n carries seq n and SIZE bytes (u8)(n + i))\n"
"      --traffic-rate N   messages per second (default 0: none)\n"
"      --traffic-size N   payload bytes, 0..4096 (default 16)\n"
"      --traffic-kind K   call: [0, msgid, METHOD, [n, bin]], msgid 0x%08x\n"
"                         (the M4 thread's handle), waits for the reply;\n"
"                         notify: [2, METHOD, [n, bin]] (default);\n"
"                         raw: the bytes on the raw endpoint;\n"
"                         serial: [2, \"tty\", [bin]]; mix: the four in turn\n"
"      --traffic-timeout MS  a call's reply timeout, 0 = forever (1000)\n"
"      --traffic-method NAME method name of calls/notifications (traffic)\n"
"\n"
"Faults (P is a probability 0..1; all draws are seeded)\n"
"      --flip-mosi P      per received frame: flip one bit of its header or\n"
"                         announced subframes before the H7 processes it\n"
"      --flip-miso P      per armed frame: flip one bit of the copy sent\n"
"      --drop-edge P      per falling nIRQ edge: the line goes low but the\n"
"                         interrupt is not delivered\n"
"      --garbage P        per swap: arm 256 random bytes instead of the\n"
"                         frame, which waits for the next swap\n"
"      --slow-m4 MS       the M4 holds each rpmsg message MS ms; with no\n"
"                         free buffer the H7 blocks and nIRQ stays low\n"
"      --clip-53df799     firmware 53df799: received frames clipped, only\n"
"                         the first subframe header survives, its data is\n"
"                         stale bytes\n"
"      --reset-at MS      reset the H7 (both cores) MS ms after start\n"
"      --reset-every MS   reset the H7 every MS ms\n"
"      --cut-boot-m4 N    the next N BOOT_M4 replies are cut by the H7's\n"
"                         off-by-four (M4 zeros fill the frame first)\n"
"\n"
"Output and control\n"
"      --stats-every S    print the counters every S seconds\n"
"  -q, --quiet            no counters at exit\n"
"      --commands         read commands from stdin, one per line: a fault\n"
"                         option without dashes and its value (flip-mosi\n"
"                         0.01, slow-m4 5, clip-53df799 1, ...), boot-m4 V,\n"
"                         reset, serial TEXT, notify METHOD TEXT, stats, quit\n"
"  -h, --help             this text\n"
"\n"
"Signals: SIGUSR1 prints the counters, SIGUSR2 resets the H7, SIGINT and\n"
"SIGTERM stop the emulator (counters printed unless --quiet).\n",
		H7EMU_M4_THREAD_HANDLE);
}

/* O_SET: a setting of the emulator, named as the option (without dashes). */
enum { O_SET = 256, O_STATS_EVERY, O_COMMANDS };

static const struct option options[] = {
	{ "board", required_argument, NULL, 'b' },
	{ "sketch", required_argument, NULL, 's' },
	{ "fw-version", required_argument, NULL, O_SET },
	{ "uid", required_argument, NULL, O_SET },
	{ "boot-m4", required_argument, NULL, O_SET },
	{ "pass-us", required_argument, NULL, O_SET },
	{ "tick-only", no_argument, NULL, O_SET },
	{ "m4-slots", required_argument, NULL, O_SET },
	{ "seed", required_argument, NULL, O_SET },
	{ "traffic-rate", required_argument, NULL, O_SET },
	{ "traffic-size", required_argument, NULL, O_SET },
	{ "traffic-kind", required_argument, NULL, O_SET },
	{ "traffic-timeout", required_argument, NULL, O_SET },
	{ "traffic-method", required_argument, NULL, O_SET },
	{ "flip-mosi", required_argument, NULL, O_SET },
	{ "flip-miso", required_argument, NULL, O_SET },
	{ "drop-edge", required_argument, NULL, O_SET },
	{ "garbage", required_argument, NULL, O_SET },
	{ "slow-m4", required_argument, NULL, O_SET },
	{ "clip-53df799", no_argument, NULL, O_SET },
	{ "reset-at", required_argument, NULL, O_SET },
	{ "reset-every", required_argument, NULL, O_SET },
	{ "cut-boot-m4", required_argument, NULL, O_SET },
	{ "stats-every", required_argument, NULL, O_STATS_EVERY },
	{ "quiet", no_argument, NULL, 'q' },
	{ "commands", no_argument, NULL, O_COMMANDS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL }
};

static void print_stats(struct h7emu *emu, const char *why)
{
	struct h7emu_stats st;

	h7emu_get_stats(emu, &st);
	fprintf(stderr, "%s: counters (%s):\n", prog, why);
	h7emu_stats_print(stderr, &st, false);
}

/* One line of --commands. */
static void command(struct h7emu *emu, char *line, bool *quit)
{
	struct h7emu_config c;
	struct h7emu_faults f;
	char *arg, *nl;

	nl = strchr(line, '\n');
	if (nl)
		*nl = 0;
	arg = strchr(line, ' ');
	if (arg)
		*arg++ = 0;
	if (!*line)
		return;
	if (!strcmp(line, "quit")) {
		*quit = true;
	} else if (!strcmp(line, "stats")) {
		print_stats(emu, "command");
	} else if (!strcmp(line, "reset")) {
		h7emu_reset(emu);
	} else if (!strcmp(line, "boot-m4") && arg &&
		   !h7emu_config_set(&c, "boot-m4", arg)) {
		h7emu_set_m4(emu, c.m4);
	} else if (!strcmp(line, "serial") && arg) {
		if (h7emu_m4_serial_write(emu, arg, strlen(arg)))
			fprintf(stderr, "%s: serial: the M4 has no RPC\n", prog);
	} else if (!strcmp(line, "notify") && arg) {
		char *text = strchr(arg, ' ');

		if (text)
			*text++ = 0;
		if (h7emu_m4_notify(emu, arg, text ? text : "",
				    text ? strlen(text) : 0))
			fprintf(stderr, "%s: notify: the M4 has no RPC\n", prog);
	} else {
		h7emu_get_faults(emu, &f);
		if (h7emu_faults_set(&f, line, arg) || h7emu_set_faults(emu, &f))
			fprintf(stderr, "%s: bad command: %s%s%s\n", prog, line,
				arg ? " " : "", arg ? arg : "");
	}
}

/* Signals, statistics and commands, until a stop signal, quit, or the
 * emulator's thread ends. Returns the thread's error, if any. */
static int control(struct h7emu *emu, int sfd, bool commands,
		   unsigned int stats_every)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	uint64_t next_stats = 0, now;
	char line[512];
	bool quit = false;
	int r;

	if (stats_every)
		next_stats = h7emu_now_ns() + stats_every * 1000000000ull;
	while (!quit) {
		r = h7emu_status(emu);
		if (r <= 0)
			return r;
		pfd[0].fd = sfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = commands ? STDIN_FILENO : -1;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, 200) < 0 && errno != EINTR)
			return -errno;
		if (pfd[0].revents & POLLIN &&
		    read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGUSR1)
				print_stats(emu, "SIGUSR1");
			else if (si.ssi_signo == SIGUSR2)
				h7emu_reset(emu);
			else
				quit = true;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			if (fgets(line, sizeof(line), stdin))
				command(emu, line, &quit);
			else
				commands = false;	/* EOF */
		}
		now = h7emu_now_ns();
		if (next_stats && now >= next_stats) {
			print_stats(emu, "periodic");
			next_stats = now + stats_every * 1000000000ull;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct h7emu_config cfg;
	struct h7emu_backend *be;
	struct m4rpc_sim_info info;
	struct h7emu *emu;
	bool quiet = false, commands = false;
	uint32_t board = 0, stats_every = 0;
	sigset_t sigs;
	int opt, r, sfd, li;

	h7emu_config_init(&cfg);
	for (;;) {
		li = -1;
		opt = getopt_long(argc, argv, "b:s:qh", options, &li);
		if (opt == -1)
			break;
		r = 0;
		switch (opt) {
		case 'b':
			r = h7emu_parse_uint(optarg, INT_MAX, &board);
			break;
		case 's':
			r = h7emu_config_set(&cfg, "sketch", optarg);
			break;
		case O_SET:
			r = h7emu_config_set(&cfg, options[li].name, optarg);
			break;
		case O_STATS_EVERY:
			r = h7emu_parse_uint(optarg, 86400, &stats_every);
			break;
		case 'q':
			quiet = true;
			break;
		case O_COMMANDS:
			commands = true;
			/* poll() sees only what stdio has not read ahead: with
			 * a buffer, the second of two lines that came together
			 * would wait for more input. */
			setvbuf(stdin, NULL, _IONBF, 0);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
		if (r < 0) {
			if (li >= 0)
				fprintf(stderr, "%s: bad value for --%s: %s\n",
					prog, options[li].name, optarg);
			else
				fprintf(stderr, "%s: bad value for -%c: %s\n",
					prog, opt, optarg);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}

	/* Every thread inherits the mask: signals arrive on the signalfd. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGUSR2);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("signalfd");
		return 1;
	}

	be = h7emu_dev_open(board);
	if (!be) {
		fprintf(stderr, "%s: /dev/m4rpc-sim%u: %s%s\n", prog, board,
			strerror(errno),
			errno == ENOENT ? " (is m4rpc_sim loaded?)" : "");
		return 1;
	}
	if (!h7emu_dev_info(be, &info) && !quiet)
		fprintf(stderr,
			"%s: board %u on spi%u.0, %s nIRQ, sketch %s, M4 %d\n",
			prog, info.board, info.bus_num,
			info.irq_mode == M4RPC_SIM_IRQ_EDGE ? "edge" :
			info.irq_mode == M4RPC_SIM_IRQ_RISING ? "rising-edge" :
			"level",
			h7emu_sketch_name(cfg.sketch), cfg.m4);
	emu = h7emu_new(&cfg, be);
	if (!emu) {
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		return 1;
	}
	r = h7emu_start(emu);
	if (!r)
		r = control(emu, sfd, commands, stats_every);
	if (r < 0)
		fprintf(stderr, "%s: %s\n", prog, strerror(-r));
	if (!r)
		r = h7emu_stop(emu);
	else
		h7emu_stop(emu);
	if (!quiet)
		print_stats(emu, "exit");
	h7emu_free(emu);
	close(sfd);
	return r < 0 ? 1 : 0;
}
