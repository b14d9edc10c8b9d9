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
 * Mappings that cannot be avoided go below, under an m4rpc_ name so that no
 * kernel symbol is redefined. checkpatch warns on LINUX_VERSION_CODE; prefer
 * testing for the feature (a macro the new API defines) where there is one.
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

#endif /* M4RPC_COMPAT_H */
