// SPDX-License-Identifier: GPL-2.0
/* The libc-only part of the board helper; see board_sys.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/spi/spidev.h>

#include "board_sys.h"

void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) < 0)
		ret = errno;
	close(fd);
	return ret;
}

int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	ssize_t n;

	if (fd < 0)
		return errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		ret = errno;
		n = 0;
	}
	close(fd);
	buf[n] = 0;
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = 0;
	return ret;
}

int mod_load_path(const char *path, const char *params)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0) ? errno : 0;
	close(fd);
	return ret;
}

int mod_load(const char *rel, const char *params)
{
	const char *dir = getenv("M4RPC_KMOD_DIR");
	char path[4096];

	if (!dir)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return mod_load_path(path, params);
}

int mod_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) ? errno : 0;
}

int mod_unload_wait(const char *name)
{
	int i, ret = EBUSY;

	for (i = 0; i < 100; i++) {
		ret = mod_unload(name);
		if (ret != EAGAIN && ret != EBUSY)
			return ret;
		sleep_ms(50);
	}
	return ret;
}

int board_sim_load(const char *params)
{
	const char *ko = getenv("M4RPC_TEST_SIM_KO");

	if (ko && *ko)
		return mod_load_path(ko, params);
	return mod_load(BOARD_SIM_MOD ".ko", params);
}

int board_sim_unload(void)
{
	return mod_unload_wait(BOARD_SIM_MOD);
}

int spi_driver_op(unsigned int bus, const char *driver, const char *op)
{
	char path[128], dev[32];

	snprintf(path, sizeof(path), "/sys/bus/spi/drivers/%s/%s", driver, op);
	snprintf(dev, sizeof(dev), "spi%u.0", bus);
	return write_file(path, dev);
}

int spi_bind(unsigned int bus, const char *driver)
{
	char path[128], dev[32];
	int ret;

	snprintf(dev, sizeof(dev), "spi%u.0", bus);
	snprintf(path, sizeof(path), "/sys/bus/spi/devices/%s/driver_override",
		 dev);
	ret = write_file(path, driver);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "/sys/bus/spi/devices/%s/driver/unbind",
		 dev);
	if (!access(path, F_OK)) {
		ret = write_file(path, dev);
		if (ret)
			return ret;
	}
	return spi_driver_op(bus, driver, "bind");
}

int spidev_bind_open(unsigned int bus)
{
	char path[64];
	int ret;

	ret = spi_bind(bus, "spidev");
	if (ret)
		return -ret;
	snprintf(path, sizeof(path), "/dev/spidev%u.0", bus);
	ret = open(path, O_RDWR | O_CLOEXEC);
	return ret < 0 ? -errno : ret;
}

int spi_xfer(int fd, const void *tx, void *rx, unsigned int len,
	     unsigned int speed_hz)
{
	struct spi_ioc_transfer t;

	memset(&t, 0, sizeof(t));
	t.tx_buf = (unsigned long)tx;
	t.rx_buf = (unsigned long)rx;
	t.len = len;
	t.speed_hz = speed_hz;
	t.bits_per_word = 8;
	return ioctl(fd, SPI_IOC_MESSAGE(1), &t) < 0 ? errno : 0;
}
