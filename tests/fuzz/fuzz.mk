# libFuzzer targets of the pure C shared with the kernel (kernel/common/),
# built with Debian's clang and ASan + UBSan: the frame codec, the msgpack
# scanner and envelopes, the stream reassembler (arbitrary chunkings, the
# link's marks between chunks) and the write() rules and msgid rewrites;
# and of the userspace that parses what comes from outside: libm4rpc's
# decoder of messages read from the session (lib_decode, with msgpack-c)
# and m4rpc-proxy's framing of its TCP streams (mpframe).
# Each checks the invariants its code promises, not only "no crash".
#
#   make fuzz                 each target for its time, its final stats
#   make fuzz FUZZ_SECONDS=60 FUZZ_TARGETS="reasm"   60 s each, one target
#
# `make check` runs fuzz_smoke, a host test: every target for FUZZ_SMOKE_RUNS
# inputs after replaying its seed corpus (tests/fuzz/corpus/TARGET/) and its
# regressions (tests/fuzz/regress/TARGET/, one file per crash ever found).
FUZZ_CC := clang-14
FUZZ_NAMES := frame mpack_scan reasm rpc_msg lib_decode mpframe
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_BINS := $(addprefix $(B)/fuzz/fuzz_,$(FUZZ_NAMES))
# Each target's time: 10 million inputs or more on the project's 2-core
# machine shared with other work, from the lowest exec/s measured there
# (frame 32.6k/s, mpack_scan 15.3k/s, rpc_msg 28.3k/s, reasm 4.7k/s with
# its fuzz_reasm.options, lib_decode 72k/s, mpframe 6.8k/s; unloaded up to
# 3 times as many), with 30 % to spare: about 115 minutes in all.
# FUZZ_SECONDS=N gives every target N s.
FUZZ_SECONDS_frame := 420
FUZZ_SECONDS_mpack_scan := 900
FUZZ_SECONDS_rpc_msg := 500
FUZZ_SECONDS_reasm := 2900
FUZZ_SECONDS_lib_decode := 180
FUZZ_SECONDS_mpframe := 1900
FUZZ_SECONDS ?=
FUZZ_SMOKE_RUNS ?= 20000
FUZZ_CFLAGS := -std=gnu11 -g -O2 $(WARN) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I$(TOP)/kernel/common

# The code under test of each target, compiled as the kernel has it.
FUZZ_SRC_frame := kernel/common/x8h7_frame.c
FUZZ_SRC_mpack_scan := kernel/common/mpack_scan.c
FUZZ_SRC_reasm := kernel/common/rpc_reasm.c kernel/common/mpack_scan.c
FUZZ_SRC_rpc_msg := kernel/common/rpc_msg.c kernel/common/mpack_scan.c
# The library's decoder and what it calls (the error texts), with its
# private header as the host tests have it, and msgpack-c (not
# instrumented: the target checks the library's use of it).
FUZZ_SRC_lib_decode := lib/result.c lib/error.c lib/mpframe.c
FUZZ_FLAGS_lib_decode = -D_GNU_SOURCE -I$(TOP)/lib -I$(TOP)/lib/include \
	-I$(TOP)/kernel/include/uapi $(MSGPACK_CFLAGS)
FUZZ_LIBS_lib_decode = $(MSGPACK_LIBS) -pthread
FUZZ_SRC_mpframe := lib/mpframe.c
FUZZ_FLAGS_mpframe = -I$(TOP)/lib $(MSGPACK_CFLAGS)
FUZZ_LIBS_mpframe = $(MSGPACK_LIBS)

$(FUZZ_BINS): $(B)/fuzz/fuzz_%: $(TOP)/tests/fuzz/fuzz_%.c \
		$$(addprefix $(TOP)/,$$(FUZZ_SRC_$$*)) \
		$(TOP)/tests/fuzz/fuzz_check.h $(wildcard $(TOP)/kernel/common/*.h) \
		$(TOP)/lib/m4rpc_priv.h $(TOP)/lib/include/m4rpc.h \
		$(TOP)/lib/mpframe.h | deps-fuzz
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_FLAGS_$*) -o $@ $(filter %.c,$^) $(FUZZ_LIBS_$*)

# The smoke, as a host test: a script that knows where the targets are.
FUZZ_SMOKE := $(B)/tests/fuzz_smoke
$(FUZZ_SMOKE): $(TOP)/tests/fuzz/run-fuzz.sh $(TOP)/tests/fuzz/fuzz.mk $(FUZZ_BINS) \
		$(wildcard $(TOP)/tests/fuzz/*.options)
	@mkdir -p $(dir $@)
	printf '#!/bin/sh\nexec %s --smoke --runs %s %s %s "%s"\n' \
		'$(TOP)/tests/fuzz/run-fuzz.sh' '$(FUZZ_SMOKE_RUNS)' \
		'$(B)/fuzz' '$(TOP)/tests/fuzz' '$(FUZZ_NAMES)' > $@
	chmod +x $@
HOST_TESTS += $(FUZZ_SMOKE)

fuzz: $(FUZZ_BINS)
	@$(TOP)/tests/fuzz/run-fuzz.sh --seconds "$(strip $(foreach t,$(FUZZ_TARGETS),\
		$(t)=$(or $(FUZZ_SECONDS),$(FUZZ_SECONDS_$(t)))))" \
		$(B)/fuzz $(TOP)/tests/fuzz "$(FUZZ_TARGETS)"

.PHONY: fuzz
