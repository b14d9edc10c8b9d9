// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The SPI side of x8h7-rawcall: which SPI device, spidev bound to it, and
 * the 256-byte transfers (docs/x8h7-link.md, "Transfers": exactly 256
 * bytes, full duplex, one chip-select assertion, mode 0, 8-bit words).
 *
 * Binding uses the driver core's sysfs files: driver_override makes spidev
 * match a device it has no id for ("x8h7-sim", or the X8's "portenta,x8h7"),
 * then drivers/spidev/bind. The device stays bound to spidev afterwards, so
 * the next run finds it ready; "echo spiB.C > /sys/bus/spi/drivers/spidev/
 * unbind" and an empty driver_override undo it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <libkmod.h>
#include <linux/spi/spidev.h>

#include "rawcall.h"

#define SPI_DEVICES	"/sys/bus/spi/devices"
#define SPIDEV_DRIVER	"/sys/bus/spi/drivers/spidev"

/* Write @s to sysfs file @path; 0 or -errno. */
static int write_sysfs(const char *path, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	w = write(fd, s, n);
	err = w < 0 ? -errno : (size_t)w != n ? -EIO : 0;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* First line of a sysfs file, without its newline; 0 or -errno. */
static int read_sysfs(const char *path, char *buf, size_t cap)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, cap - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

int rc_spi_find_board(unsigned int board, char *name, size_t cap)
{
	char pdev[64], path[PATH_MAX], real[PATH_MAX], preal[PATH_MAX];
	char modalias[64];
	struct dirent *de;
	size_t plen;
	DIR *dir;
	int err = -ENOENT;

	/* m4rpc_sim.ko registers board N as platform device m4rpc-sim.N,
	 * the parent of its SPI controller and device. */
	snprintf(pdev, sizeof(pdev), "/sys/bus/platform/devices/m4rpc-sim.%u",
		 board);
	if (!realpath(pdev, preal)) {
		err = -errno;
		if (err == -ENOENT)
			rc_err(0, "no simulated board %u: %s: %s (is m4rpc_sim.ko loaded, with boards=%u or more?)",
			       board, pdev, strerror(-err), board + 1);
		else
			rc_err(-err, "no simulated board %u: %s", board, pdev);
		return err;
	}
	plen = strlen(preal);
	dir = opendir(SPI_DEVICES);
	if (!dir) {
		err = -errno;
		rc_err(-err, "%s", SPI_DEVICES);
		return err;
	}
	while ((de = readdir(dir))) {
		if (strncmp(de->d_name, "spi", 3))
			continue;
		snprintf(path, sizeof(path), SPI_DEVICES "/%s", de->d_name);
		if (!realpath(path, real) || strncmp(real, preal, plen) ||
		    real[plen] != '/')
			continue;
		snprintf(path, sizeof(path), SPI_DEVICES "/%s/modalias",
			 de->d_name);
		if (read_sysfs(path, modalias, sizeof(modalias)) ||
		    strcmp(modalias, "spi:x8h7-sim"))
			continue;
		if (strlen(de->d_name) >= cap) {
			err = -ENAMETOOLONG;
			break;
		}
		strcpy(name, de->d_name);
		err = 0;
		break;
	}
	closedir(dir);
	if (err)
		rc_err(-err, "board %u (%s): no SPI device with modalias x8h7-sim",
		       board, preal);
	return err;
}

int rc_spi_name_of_dev(const char *path, char *name, size_t cap)
{
	char sys[PATH_MAX], *copy, *base;
	unsigned int bus, cs;
	int n = 0;

	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	base = basename(copy);
	if (sscanf(base, "spidev%u.%u%n", &bus, &cs, &n) != 2 ||
	    (size_t)n != strlen(base))
		n = -1;
	free(copy);
	if (n < 0)
		return -ENOENT;
	if ((size_t)snprintf(name, cap, "spi%u.%u", bus, cs) >= cap)
		return -ENAMETOOLONG;
	snprintf(sys, sizeof(sys), SPI_DEVICES "/%s", name);
	return access(sys, F_OK) ? -ENOENT : 0;
}

/* The driver bound to SPI device @name, in @drv ("" when none). */
static int bound_driver(const char *name, char *drv, size_t cap)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), SPI_DEVICES "/%s/driver", name);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		if (errno != ENOENT)
			return -errno;
		drv[0] = 0;
		return 0;
	}
	target[n] = 0;
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	if (strlen(base) >= cap)
		return -ENAMETOOLONG;
	strcpy(drv, base);
	return 0;
}

/* Load the spidev module (it may also be built in: then its driver is
 * there already and nothing is loaded). */
static int load_spidev(void)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int err;

	if (!access(SPIDEV_DRIVER, F_OK))
		return 0;
	ctx = kmod_new(NULL, NULL);
	if (!ctx) {
		err = -ENOMEM;
		goto out;
	}
	err = kmod_module_new_from_name(ctx, "spidev", &mod);
	if (!err)
		err = kmod_module_probe_insert_module(mod, 0, NULL, NULL, NULL,
						      NULL);
	if (err > 0)		/* a blacklist or "already loaded" flag */
		err = 0;
	kmod_module_unref(mod);
	kmod_unref(ctx);
out:
	if (err) {
		rc_err(-err, "cannot load the spidev module");
		return err;
	}
	if (access(SPIDEV_DRIVER, F_OK)) {
		err = -errno;
		rc_err(-err, "spidev loaded, but %s", SPIDEV_DRIVER);
		return err;
	}
	fprintf(stderr, "x8h7-rawcall: loaded the spidev module\n");
	return 0;
}

int rc_spi_bind_spidev(const char *name, bool rebind, char *path, size_t cap)
{
	char sys[PATH_MAX], drv[128];
	unsigned int bus, cs;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int err, i;

	if (sscanf(name, "spi%u.%u", &bus, &cs) != 2)
		return -EINVAL;
	if ((size_t)snprintf(path, cap, "/dev/spidev%u.%u", bus, cs) >= cap)
		return -ENAMETOOLONG;
	err = bound_driver(name, drv, sizeof(drv));
	if (err) {
		rc_err(-err, "%s: its driver", name);
		return err;
	}
	if (!strcmp(drv, "spidev"))
		return 0;
	if (drv[0] && !rebind) {
		rc_err(0, "%s is bound to driver %s: unload it (rmmod) or pass --rebind to move the device to spidev",
		       name, drv);
		return -EBUSY;
	}
	err = load_spidev();
	if (err)
		return err;

	snprintf(sys, sizeof(sys), SPI_DEVICES "/%s/driver_override", name);
	err = write_sysfs(sys, "spidev");
	if (err) {
		rc_err(-err, "writing spidev to %s", sys);
		return err;
	}
	if (drv[0]) {
		snprintf(sys, sizeof(sys), SPI_DEVICES "/%s/driver/unbind",
			 name);
		err = write_sysfs(sys, name);
		if (err) {
			rc_err(-err, "unbinding %s from %s", name, drv);
			return err;
		}
	}
	err = write_sysfs(SPIDEV_DRIVER "/bind", name);
	if (err) {
		rc_err(-err, "binding spidev to %s (" SPIDEV_DRIVER "/bind)",
		       name);
		return err;
	}
	fprintf(stderr, "x8h7-rawcall: %s: %s%s%sbound to spidev (driver_override): %s\n",
		name, drv[0] ? "taken from " : "", drv, drv[0] ? ", " : "",
		path);

	/* devtmpfs makes the node during the bind; udev-only systems later. */
	for (i = 0; i < 100 && access(path, F_OK); i++)
		nanosleep(&ts, NULL);
	return 0;
}

int rc_spi_open(const char *path, u32 speed_hz)
{
	u8 mode = SPI_MODE_0, bits = 8;
	int fd, err;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		rc_err(-err, "%s", path);
		return err;
	}
	if (ioctl(fd, SPI_IOC_WR_MODE, &mode) ||
	    ioctl(fd, SPI_IOC_WR_BITS_PER_WORD, &bits) ||
	    ioctl(fd, SPI_IOC_WR_MAX_SPEED_HZ, &speed_hz)) {
		err = -errno;
		rc_err(-err, "%s: setting mode 0, 8 bits, %u Hz", path,
		       (unsigned int)speed_hz);
		close(fd);
		return err;
	}
	return fd;
}

int rc_spi_xfer(int fd, u32 speed_hz, const u8 *tx, u8 *rx)
{
	struct spi_ioc_transfer t = {
		.tx_buf = (uintptr_t)tx,
		.rx_buf = (uintptr_t)rx,
		.len = X8H7_FRAME_LEN,
		.speed_hz = speed_hz,
		.bits_per_word = 8,
	};
	int n;

	n = ioctl(fd, SPI_IOC_MESSAGE(1), &t);
	if (n < 0)
		return -errno;
	return n == X8H7_FRAME_LEN ? 0 : -EIO;
}
