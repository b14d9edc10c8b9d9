/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The part of the board helper (board.h) that needs nothing but libc:
 * time, sysfs files, loading modules, moving an SPI device between
 * drivers. The selftests of the simulator alone (sim_kmod, h7emu_spidev)
 * use only this; board.h includes it.
 */
#ifndef M4RPC_BOARD_SYS_H
#define M4RPC_BOARD_SYS_H

#include <stddef.h>
#include <stdint.h>

void sleep_ms(unsigned int ms);
uint64_t now_ms(void);		/* CLOCK_MONOTONIC */

/* Write @text to a (sysfs) file: 0 or errno. */
int write_file(const char *path, const char *text);
/* Read a (sysfs) file into @buf, NUL-terminated, newlines cut: 0 or errno. */
int read_file(const char *path, char *buf, size_t size);

/* finit_module(@path, @params): 0 or its errno; -1 when @path cannot be opened. */
int mod_load_path(const char *path, const char *params);
/* The same for $M4RPC_KMOD_DIR/@rel (-1 without $M4RPC_KMOD_DIR too). */
int mod_load(const char *rel, const char *params);
/* delete_module(@name) once: 0 or errno (EBUSY while in use, ENOENT). */
int mod_unload(const char *name);
/* The same, retried for 5 s while busy (a closing file still holds it). */
int mod_unload_wait(const char *name);

#define BOARD_SIM_MOD	"m4rpc_sim"
#define BOARD_LINK_MOD	"m4rpc"

/*
 * Load m4rpc_sim.ko ($M4RPC_TEST_SIM_KO, or the one in $M4RPC_KMOD_DIR)
 * with @params: as mod_load_path().
 */
int board_sim_load(const char *params);
/* Unload it (mod_unload_wait()). */
int board_sim_unload(void);

/* Write "spi<bus>.0" to /sys/bus/spi/drivers/@driver/@op (bind, unbind). */
int spi_driver_op(unsigned int bus, const char *driver, const char *op);
/*
 * Bind @driver to spi<bus>.0 by driver_override, taking the device from the
 * driver that has it, if any: 0 or errno.
 */
int spi_bind(unsigned int bus, const char *driver);
/* spidev onto spi<bus>.0, and /dev/spidev<bus>.0 open: the fd or -errno. */
int spidev_bind_open(unsigned int bus);
/* One full-duplex transfer of @len bytes on spidev @fd: 0 or errno. */
int spi_xfer(int fd, const void *tx, void *rx, unsigned int len,
	     unsigned int speed_hz);

#endif /* M4RPC_BOARD_SYS_H */
