// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Portenta X8 tutorial's sensor read-out (python-rpc-sensors), in C:
 * the M4 sketch binds temperature(), humidity(), pressure(), gas() and
 * altitude(); this program calls each and prints its value.
 *
 *   m4rpc-example-sensors [/dev/m4rpcN]
 *
 * Build against the installed library: cc sensors.c $(pkg-config --cflags
 * --libs m4rpc)
 */
#include <stdio.h>
#include <m4rpc.h>

static const struct {
	const char *method, *label;
} sensors[] = {
	{ "temperature", "Temperature" },
	{ "humidity", "Humidity" },
	{ "pressure", "Pressure" },
	{ "gas", "Gas" },
	{ "altitude", "Altitude" },
};

int main(int argc, char **argv)
{
	struct m4rpc_board *board;
	struct m4rpc_result *res;
	unsigned int i;
	double v;
	int ret = 0;

	board = argc > 1 ? m4rpc_board_open(argv[1]) :
		m4rpc_board_open_index(0);
	if (!board) {
		fprintf(stderr, "%s\n", m4rpc_last_error());
		return 1;
	}
	/* Just after boot the M4 may not run its sketch yet. */
	if (m4rpc_board_wait_m4(board, 5000)) {
		fprintf(stderr, "%s\n", m4rpc_last_error());
		m4rpc_board_close(board);
		return 1;
	}
	for (i = 0; i < sizeof(sensors) / sizeof(sensors[0]); i++) {
		if (m4rpc_call(board, 2000, &res, sensors[i].method, NULL) ||
		    m4rpc_result_double(res, &v)) {
			fprintf(stderr, "%s: %s\n", sensors[i].method,
				m4rpc_last_error());
			ret = 1;
			continue;
		}
		/* %g: the sketch's integers print as the tutorial shows them */
		printf("%s: %g\n", sensors[i].label, v);
		m4rpc_result_free(res);
	}
	m4rpc_board_close(board);
	return ret;
}
