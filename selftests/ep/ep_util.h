/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What only the /dev/m4rpcN selftests need besides the board helper
 * (selftests/common/board.h): holding the H7 up, so that the link's
 * transmit queue stops draining. Like board.h, it returns 0 or a positive
 * errno and never asserts.
 */
#ifndef EP_UTIL_H
#define EP_UTIL_H

#include "board.h"

/*
 * Hold the H7 of board 0 up (the emulator's slow-M4 fault; the board needs
 * cfg.m4_slots = 1): two notifications sent through @fd, the M4 sits on
 * the first and the H7 blocks on the second, so the link's transmit queue
 * no longer drains. ep_release_h7() lifts the fault.
 */
int ep_hold_h7(struct board_env *env, int fd);
int ep_release_h7(struct board_env *env);

#endif /* EP_UTIL_H */
