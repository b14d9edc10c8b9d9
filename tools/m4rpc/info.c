// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * m4rpc info and m4rpc stats: the board's description (the library's
 * snapshot of M4RPC_IOC_INFO, and the link's sysfs files for what it does
 * not carry: the UID, the nIRQ mode, the firmware defect) and counters.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define COUNTERS_MAX	128

static const struct option opts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "session", no_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL }
};

/* A file of the link's sysfs group, trimmed; "" when unreadable. */
static void link_file(unsigned int index, const char *name, char *buf,
		      size_t n)
{
	char path[128];
	FILE *f;

	buf[0] = 0;
	snprintf(path, sizeof(path), "/sys/class/m4rpc-ep/m4rpc%u/device/m4rpc/%s",
		 index, name);
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, n, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
}

static const char *m4_sentence(enum m4rpc_m4_status s)
{
	switch (s) {
	case M4RPC_BOARD_M4_NO_PROGRAM:
		return "no sketch in the M4's flash: flash one that calls RPC.begin()";
	case M4RPC_BOARD_M4_NO_RPC:
		return "a sketch runs, but it did not call RPC.begin(): no calls can reach it";
	case M4RPC_BOARD_M4_RUNNING:
		return "a sketch runs RPC: calls flow";
	default:
		return "not known yet: the H7 has not told (the link is syncing)";
	}
}

static const char *link_sentence(enum m4rpc_link_status s)
{
	switch (s) {
	case M4RPC_BOARD_LINK_UP:
		return "the H7 answers";
	case M4RPC_BOARD_LINK_GONE:
		return "the device was removed";
	default:
		return "the H7 has not answered (yet): is its firmware flashed and running?";
	}
}

static int parse(const char *sub, int argc, char **argv, const char **dev,
		 bool *json, bool *session, void (*usage)(FILE *f))
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+d:jsh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			*dev = optarg;
			break;
		case 'j':
			*json = true;
			break;
		case 's':
			if (!session)
				return tool_usage_err(sub, "-s is an option of `m4rpc stats`");
			*session = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			fprintf(stderr, "Try '%s %s --help'.\n", tool_prog, sub);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return tool_usage_err(sub, "'%s': no arguments are taken", argv[optind]);
	return 0;
}

static void info_usage(FILE *f)
{
	fprintf(f,
"usage: %s info [-d N|PATH] [--json]\n"
"The board: its device and SPI device, the H7 firmware's version and UID,\n"
"the link's state and nIRQ mode, what the M4 runs (in a sentence), the\n"
"firmware defect if the link found one (53df799: frames clipped), and the\n"
"limits (max_tx_msg: the longest message to the M4, ...).\n"
"\n"
"  -d, --device N|PATH  the board (default 0)\n"
"  -j, --json           one JSON object instead of lines\n"
"  -h, --help           this text\n"
"Exit status: 0, 2 usage, 6 no board, 7 the firmware clips frames.\n",
		tool_prog);
}

int cmd_info(int argc, char **argv)
{
	const char *dev = NULL, *clips;
	struct m4rpc_counter lim[32];
	struct m4rpc_board_info *info;
	char uid[64], mode[32];
	struct m4rpc_board *b;
	bool json = false;
	int ret, n, i;
	unsigned int idx;
	json_t *j, *jl;

	ret = parse("info", argc, argv, &dev, &json, NULL, info_usage);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	b = tool_open("info", dev, &ret);
	if (!b)
		return ret;
	info = m4rpc_board_get_info(b);
	if (!info) {
		ret = tool_lib_err("info", m4rpc_last_error_code());
		m4rpc_board_close(b);
		return ret;
	}
	idx = m4rpc_board_info_index(info);
	link_file(idx, "uid", uid, sizeof(uid));
	link_file(idx, "irq_mode", mode, sizeof(mode));
	clips = tool_fw_clips(idx);
	n = m4rpc_board_info_limits(info, lim, 32);
	if (n > 32)
		n = 32;
	if (json) {
		j = json_object();
		json_object_set_new(j, "device", json_string(m4rpc_board_path(b)));
		json_object_set_new(j, "spi_device",
				    json_string(m4rpc_board_info_spi_device(info)));
		json_object_set_new(j, "firmware", json_string(m4rpc_board_info_firmware(info)));
		json_object_set_new(j, "uid", json_string(uid));
		json_object_set_new(j, "link", json_string(
			m4rpc_link_status_name(m4rpc_board_info_link_status(info))));
		json_object_set_new(j, "irq_mode", json_string(mode));
		json_object_set_new(j, "m4", json_string(
			m4rpc_m4_status_name(m4rpc_board_info_m4_status(info))));
		json_object_set_new(j, "m4_state",
				    json_integer(m4rpc_board_info_m4_status(info)));
		json_object_set_new(j, "m4_sentence", json_string(
			m4_sentence(m4rpc_board_info_m4_status(info))));
		json_object_set_new(j, "firmware_clips_frames", json_boolean(clips));
		jl = json_object();
		for (i = 0; i < n; i++)
			json_object_set_new(jl, lim[i].name, json_integer(lim[i].value));
		json_object_set_new(j, "limits", jl);
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		printf("device       %s (SPI device %s)\n", m4rpc_board_path(b),
		       m4rpc_board_info_spi_device(info));
		printf("firmware     %s\n", *m4rpc_board_info_firmware(info) ?
		       m4rpc_board_info_firmware(info) : "(not known yet)");
		printf("uid          %s\n", *uid ? uid : "(not known yet)");
		printf("link         %s: %s%s%s%s\n",
		       m4rpc_link_status_name(m4rpc_board_info_link_status(info)),
		       link_sentence(m4rpc_board_info_link_status(info)),
		       *mode ? " (nIRQ mode " : "", mode, *mode ? ")" : "");
		printf("m4           %s: %s\n",
		       m4rpc_m4_status_name(m4rpc_board_info_m4_status(info)),
		       m4_sentence(m4rpc_board_info_m4_status(info)));
		if (clips)
			printf("defect       %s\n", clips);
		printf("limits      ");
		for (i = 0; i < n; i++)
			printf(" %s %llu%s", lim[i].name,
			       (unsigned long long)lim[i].value, i + 1 < n ? "," : "\n");
	}
	m4rpc_board_info_free(info);
	m4rpc_board_close(b);
	if (clips) {
		tool_err("info", "the H7 firmware clips frames: flash tag 0.0.5 or a fixed build");
		return EXIT_FIRMWARE;
	}
	return EXIT_OK;
}

static void stats_usage(FILE *f)
{
	fprintf(f,
"usage: %s stats [-d N|PATH] [-s] [--json]\n"
"The link endpoint's counters since the board was bound (messages from and\n"
"to the M4, drops, losses, what is pending now), one per line, NAME VALUE;\n"
"their meaning: kernel/include/uapi/linux/m4rpc.h, struct m4rpc_link_stats.\n"
"\n"
"  -d, --device N|PATH  the board (default 0)\n"
"  -s, --session        also the counters of this command's own session\n"
"                       (kernel and library: useful to see the names)\n"
"  -j, --json           one JSON object {\"link\": {...}, \"session\": {...}}\n"
"  -h, --help           this text\n"
"Exit status: 0, 2 usage, 6 no board, 8 other.\n",
		tool_prog);
}

static int counters(struct m4rpc_board *b, bool session, json_t *j,
		    const char *key)
{
	struct m4rpc_counter c[COUNTERS_MAX];
	json_t *o = json_object();
	int n, i;

	n = session ? m4rpc_board_session_counters(b, c, COUNTERS_MAX) :
		m4rpc_board_link_counters(b, c, COUNTERS_MAX);
	if (n < 0) {
		json_decref(o);
		return n;
	}
	if (n > COUNTERS_MAX)
		n = COUNTERS_MAX;
	for (i = 0; i < n; i++) {
		if (j)
			json_object_set_new(o, c[i].name, json_integer(c[i].value));
		else
			printf("%s%s %llu\n", session ? "session." : "", c[i].name,
			       (unsigned long long)c[i].value);
	}
	if (j)
		json_object_set_new(j, key, o);
	else
		json_decref(o);
	return 0;
}

int cmd_stats(int argc, char **argv)
{
	bool json = false, session = false;
	const char *dev = NULL;
	struct m4rpc_board *b;
	json_t *j = NULL;
	int ret;

	ret = parse("stats", argc, argv, &dev, &json, &session, stats_usage);
	if (ret)
		return ret < 0 ? EXIT_OK : ret;
	b = tool_open("stats", dev, &ret);
	if (!b)
		return ret;
	if (json)
		j = json_object();
	ret = counters(b, false, j, "link");
	if (!ret && session)
		ret = counters(b, true, j, "session");
	if (ret) {
		json_decref(j);
		ret = tool_lib_err("stats", ret);
		m4rpc_board_close(b);
		return ret;
	}
	if (j) {
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	}
	m4rpc_board_close(b);
	return EXIT_OK;
}
