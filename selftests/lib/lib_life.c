// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM tests of libm4rpc across the board's life: waiting for the M4 (its
 * sketch without RPC.begin(), no program, the M4 starting), the M4
 * stopping during a call, the device going away mid-call (unbind: a clean
 * error, no hang), and an unprivileged user told which group to join.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "lib_board.h"

LIB_FIXTURE(life);

struct later {
	struct board_env *env;
	struct h7emu *emu;
	unsigned int ms;
	int m4;			/* h7emu_set_m4(), or -99: unbind */
	unsigned int bus;
	pthread_t th;
};

static void *later_fn(void *arg)
{
	struct later *l = arg;

	usleep(l->ms * 1000);
	if (l->m4 == -99) {
		spi_driver_op(l->bus, "m4rpc", "unbind");
		return NULL;
	}
	/* The link asks the H7 for the M4's state again: a refresh. */
	h7emu_set_m4(l->emu, l->m4);
	link_attr_write(l->env, 0, "refresh", "1");
	return NULL;
}

static int later_start(struct later *l, struct board_env *env,
		       unsigned int ms, int m4)
{
	l->env = env;
	l->emu = env->b[0].emu;
	l->bus = env->b[0].bus;
	l->ms = ms;
	l->m4 = m4;
	return pthread_create(&l->th, NULL, later_fn, l);
}

/* The M4's state as the board says it, within a few seconds. */
static bool m4_becomes(struct m4rpc_board *b, enum m4rpc_m4_status want)
{
	struct m4rpc_board_info *bi;
	bool is = false;
	int i;

	for (i = 0; i < 500 && !is; i++) {
		bi = m4rpc_board_get_info(b);
		is = bi && m4rpc_board_info_m4_status(bi) == want;
		m4rpc_board_info_free(bi);
		if (!is)
			usleep(10000);
	}
	return is;
}

TEST_F(life, wait_for_the_m4)
{
	struct h7emu_config cfg;
	struct later l;

	board_config(&cfg, 0);
	cfg.m4 = H7EMU_M4_NO_RPC;
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	/* the sketch did not call RPC.begin(): the Giga's "OSError -1" */
	EXPECT_EQ(-M4RPC_E_NO_RPC, m4rpc_call(self->b, 1000, NULL, "echo",
					      "i", 1));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "RPC.begin()"));
	EXPECT_EQ(-ETIMEDOUT, m4rpc_board_wait_m4(self->b, 0));
	EXPECT_EQ(-ETIMEDOUT, m4rpc_board_wait_m4(self->b, 100));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "RPC.begin()"))
		TH_LOG("%s", m4rpc_last_error());

	/* no program */
	ASSERT_EQ(0, h7emu_set_m4(self->env.b[0].emu, H7EMU_M4_ABSENT));
	ASSERT_EQ(0, link_attr_write(&self->env, 0, "refresh", "1"));
	ASSERT_TRUE(m4_becomes(self->b, M4RPC_BOARD_M4_NO_PROGRAM));
	EXPECT_EQ(-M4RPC_E_NO_PROGRAM, m4rpc_call(self->b, 1000, NULL, "echo",
						  "i", 1));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "no program"));

	/* the M4 starts while wait_m4() sleeps in poll() */
	ASSERT_EQ(0, later_start(&l, &self->env, 300, H7EMU_M4_RUNNING));
	EXPECT_EQ(0, m4rpc_board_wait_m4(self->b, LIB_T_MS))
		TH_LOG("%s", m4rpc_last_error());
	pthread_join(l.th, NULL);
	EXPECT_EQ(0, m4rpc_call(self->b, LIB_T_MS, NULL, "echo", "i", 1));
}

/* The M4 stops running RPC while a call waits for the slow M4. */
TEST_F(life, m4_stops_mid_call)
{
	struct h7emu_config cfg;
	struct later l;

	board_config(&cfg, 0);
	cfg.faults.slow_m4_ms = 3000;
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	ASSERT_EQ(0, later_start(&l, &self->env, 300, H7EMU_M4_NO_RPC));
	EXPECT_EQ(-M4RPC_E_STOPPED, m4rpc_call(self->b, LIB_T_MS, NULL, "echo",
					       "i", 1));
	EXPECT_NE(NULL, strstr(m4rpc_last_error(), "stopped running RPC"))
		TH_LOG("%s", m4rpc_last_error());
	pthread_join(l.th, NULL);
}

struct pending {
	struct m4rpc_board *b;
	int ret;
	char text[256];
};

static void *call_fn(void *arg)
{
	struct pending *p = arg;

	p->ret = m4rpc_call(p->b, -1, NULL, "echo", "i", 1);
	snprintf(p->text, sizeof(p->text), "%s", m4rpc_last_error());
	return NULL;
}

/* The device goes away while calls wait without a timeout. */
TEST_F(life, device_gone_mid_call)
{
	struct m4rpc_board_info *bi;
	struct h7emu_config cfg;
	struct pending p1, p2;
	pthread_t t1, t2;
	struct later l;

	board_config(&cfg, 0);
	cfg.faults.slow_m4_ms = 5000;
	ASSERT_EQ(0, lib_board_up(&self->env, &cfg, &self->b));
	p1 = (struct pending){ .b = self->b };
	p2 = p1;
	/* two threads: one reads the session, the other waits for it */
	ASSERT_EQ(0, pthread_create(&t1, NULL, call_fn, &p1));
	ASSERT_EQ(0, pthread_create(&t2, NULL, call_fn, &p2));
	ASSERT_EQ(0, later_start(&l, &self->env, 300, -99));
	pthread_join(l.th, NULL);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	EXPECT_EQ(-ENODEV, p1.ret);
	EXPECT_EQ(-ENODEV, p2.ret);
	EXPECT_NE(NULL, strstr(p1.text, "went away")) TH_LOG("%s", p1.text);
	EXPECT_EQ(-ENODEV, m4rpc_call(self->b, 100, NULL, "echo", "i", 1));
	EXPECT_EQ(-ENODEV, m4rpc_board_wait_m4(self->b, 100));
	EXPECT_EQ(-ENODEV, m4rpc_board_dispatch(self->b));
	EXPECT_EQ(-ENODEV, m4rpc_board_run(self->b));
	/* the kernel still answers INFO */
	bi = m4rpc_board_get_info(self->b);
	ASSERT_NE(NULL, bi);
	EXPECT_EQ(M4RPC_BOARD_LINK_GONE, m4rpc_board_info_link_status(bi));
	m4rpc_board_info_free(bi);
}

/*
 * A user without access: a child as "nobody", the node in a group it is
 * not in. The sentence names the group.
 */
TEST_F(life, unprivileged_user)
{
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("dialout");
	char path[64], text[512];
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	ASSERT_NE(NULL, pw);
	ASSERT_NE(NULL, gr);
	ASSERT_EQ(0, lib_board_up(&self->env, NULL, &self->b));
	snprintf(path, sizeof(path), "%s", m4rpc_board_path(self->b));
	ASSERT_EQ(0, chown(path, 0, gr->gr_gid));
	ASSERT_EQ(0, chmod(path, 0660));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct m4rpc_board *b;

		close(pfd[0]);
		if (setgroups(0, NULL) || setgid(pw->pw_gid) ||
		    setuid(pw->pw_uid))
			_exit(2);
		b = m4rpc_board_open(path);
		if (b)
			_exit(3);
		n = snprintf(text, sizeof(text), "%d %s", errno,
			     m4rpc_last_error());
		if (write(pfd[1], text, n) != n)
			_exit(4);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], text, sizeof(text) - 1);
	close(pfd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_LT(0, n);
	text[n] = '\0';
	EXPECT_EQ(EACCES, atoi(text)) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "join the device's group 'dialout'"))
		TH_LOG("%s", text);
	TH_LOG("%s", text);
}

TEST_HARNESS_MAIN
