// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM test of lib/examples/: each program runs against the simulated board
 * and prints what it should: the sensors sketch's five values, the
 * server's answers to the traffic sketch's calls, the epoll loop's
 * replies.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib_board.h"

/* Run example @name with @args; its output into @out: its exit status. */
static int run_example(const char *name, const char *args, char *out,
		       size_t size)
{
	char exe[PATH_MAX], cmd[PATH_MAX + 256];
	size_t n = 0, r;
	ssize_t len;
	FILE *f;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0)
		return -1;
	exe[len] = '\0';
	/* build/selftests/lib_examples -> build/examples/ */
	snprintf(cmd, sizeof(cmd), "%s/../examples/m4rpc-example-%s %s 2>&1",
		 dirname(exe), name, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (n + 1 < size && (r = fread(out + n, 1, size - 1 - n, f)) > 0)
		n += r;
	out[n] = '\0';
	return pclose(f);
}

LIB_FIXTURE(examples);

TEST_F(examples, sensors)
{
	struct h7emu_config cfg;
	char out[1024];

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_SENSORS;
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	ASSERT_EQ(0, run_example("sensors", m4rpc_board_path(self->b), out,
				 sizeof(out))) TH_LOG("%s", out);
	EXPECT_STREQ("Temperature: 100\nHumidity: 200\nPressure: 300\n"
		     "Gas: 400\nAltitude: 500\n", out);
}

TEST_F(examples, server)
{
	struct h7emu_config cfg;
	unsigned long long seq, sum, want;
	char out[2048], args[96], *line, *save;
	unsigned int bytes, lines = 0, i;

	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TRAFFIC;
	cfg.traffic.kind = H7EMU_TRAFFIC_CALL;
	cfg.traffic.rate = 20;
	cfg.traffic.size = 4;
	cfg.traffic.timeout_ms = 1000;
	snprintf(cfg.traffic.method, sizeof(cfg.traffic.method), "checksum");
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	snprintf(args, sizeof(args), "-n 3 %s", m4rpc_board_path(self->b));
	/* the example's session, not ours, binds the name */
	m4rpc_board_close(self->b);
	self->b = NULL;
	ASSERT_EQ(0, run_example("server", args, out, sizeof(out)))
		TH_LOG("%s", out);
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		ASSERT_EQ(3, sscanf(line, "checksum(%llu, %u bytes) = %llu",
				    &seq, &bytes, &sum)) TH_LOG("%s", line);
		EXPECT_EQ(4, bytes);
		for (want = 0, i = 0; i < 4; i++)
			want += (uint8_t)(seq + i);
		EXPECT_EQ(want, sum);
		lines++;
	}
	EXPECT_EQ(3, lines);
}

TEST_F(examples, epoll)
{
	char out[1024], args[96];

	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	snprintf(args, sizeof(args), "-n 5 %s", m4rpc_board_path(self->b));
	ASSERT_EQ(0, run_example("epoll", args, out, sizeof(out)))
		TH_LOG("%s", out);
	EXPECT_STREQ("echo 1\necho 2\necho 3\necho 4\necho 5\n", out);
}

TEST_HARNESS_MAIN
