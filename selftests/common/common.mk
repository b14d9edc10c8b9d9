# The board helper every VM selftest links (selftests/common/board.h): the
# simulated board up and down, its files, clients and messages. Its libc-only
# part (board_sys.h) is VM_UTIL_OBJ, for the tests of the simulator alone.
VM_UTIL_OBJ := $(B)/obj/selftests/common/board_sys.o
BOARD_OBJ := $(B)/obj/selftests/common/board.o $(VM_UTIL_OBJ)
BOARD_CFLAGS = $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu
$(call obj-cflags,selftests/common/board.c,BOARD_CFLAGS)

# What the VM tests written in shell share (TAP lines, expect()), installed
# next to them.
SELFTEST_TAP_SH := $(B)/selftests/tap.sh
$(SELFTEST_TAP_SH): $(TOP)/selftests/common/tap.sh
	@mkdir -p $(dir $@)
	install -m 644 $< $@
