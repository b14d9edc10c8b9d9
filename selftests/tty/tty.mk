# VM selftests of /dev/ttyM4RPCn (kernel/tty/), the M4 sketch's Serial as a
# serial port, against the simulated board (selftests/common/board.c) and
# the emulator's tty sketch. Root and the modules are needed: run them in
# the VM (scripts/vm-run.sh). tty_pyserial runs tty_pyserial.py, installed
# next to it, with Debian's /usr/bin/python3 and python3-serial.
TTY_TEST_NAMES := tty_data tty_life tty_pyserial
TTY_TESTS := $(addprefix $(B)/selftests/,$(TTY_TEST_NAMES))
TTY_PY := $(B)/selftests/tty_pyserial.py

# The harness, msgpack-c, h7emu.h, board.h.
TTY_CFLAGS = $(KSFT_CFLAGS) $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu \
	-I$(TOP)/selftests/common
$(call obj-cflags,$(wildcard selftests/tty/*.c),TTY_CFLAGS)

$(TTY_TESTS): $(B)/selftests/%: $(B)/obj/selftests/tty/%.o $$(BOARD_OBJ) \
		$$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^ $(H7EMU_LDLIBS)

$(B)/selftests/tty_pyserial: | $(TTY_PY)
$(TTY_PY): $(TOP)/selftests/tty/tty_pyserial.py
	@mkdir -p $(dir $@)
	cp $< $@

VM_TESTS += $(TTY_TESTS)
