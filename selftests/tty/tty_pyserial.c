// SPDX-License-Identifier: GPL-2.0
/*
 * VM selftest of /dev/ttyM4RPCn with pyserial, Debian's python3-serial:
 * tty_pyserial.py (installed next to this program) opens the port as any
 * serial port and reads and writes with a timeout, changes rates and
 * modem lines; the tty sketch echoes its lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "board.h"

#define PYTHON	"/usr/bin/python3"

/* tty_pyserial.py next to /proc/self/exe. */
static int script_path(char *buf, size_t size)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return errno;
	exe[n] = '\0';
	snprintf(buf, size, "%s/tty_pyserial.py", dirname(exe));
	return access(buf, R_OK) ? errno : 0;
}

TEST(pyserial_read_write_timeout)
{
	char script[PATH_MAX], port[64];
	struct h7emu_config cfg;
	const struct board_opts opts = { .cfg = &cfg };
	struct board_env env;
	int status;
	pid_t pid;

	ASSERT_EQ(0, script_path(script, sizeof(script)));
	ASSERT_EQ(0, access(PYTHON, X_OK)) {
		TH_LOG("%s is missing (scripts/deps.mk installs it)", PYTHON);
	}
	board_config(&cfg, 0);
	cfg.sketch = H7EMU_SKETCH_TTY;
	ASSERT_EQ(0, board_up(&env, &opts));
	ASSERT_EQ(0, board_tty_path(&env, 0, port, sizeof(port)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		execl(PYTHON, PYTHON, script, port, (char *)NULL);
		_exit(127);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) {
		TH_LOG("%s %s failed (its reason is above)", script, port);
	}
	board_down(&env);
}

TEST_HARNESS_MAIN
