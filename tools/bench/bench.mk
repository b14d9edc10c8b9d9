# m4rpc-bench (tools/bench/): latency and throughput of calls through
# /dev/m4rpc0 on the simulated board (the selftests' board helper), next to
# the minimum the wire and the emulated H7 allow. `make bench` runs it in
# the VM (BENCH_ARGS: its options, e.g. BENCH_ARGS="-n 1000 --json"). A
# timing figure is no assertion: `make check` runs only its smoke form,
# bench_smoke (a few calls of each kind, TAP), last in the VM suite.
M4RPC_BENCH := $(B)/tools/m4rpc-bench
BENCH_SMOKE := $(B)/selftests/bench_smoke
BENCH_ARGS ?=

BENCH_CFLAGS = $(MSGPACK_CFLAGS) -pthread -I$(TOP)/emu -I$(TOP)/selftests/common
$(call obj-cflags,tools/bench/m4rpc-bench.c,BENCH_CFLAGS)

$(M4RPC_BENCH): $(B)/obj/tools/bench/m4rpc-bench.o $$(BOARD_OBJ) $$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -pthread -o $@ $^ $(H7EMU_LDLIBS)

$(BENCH_SMOKE): $(TOP)/tools/bench/bench_smoke.sh $(M4RPC_BENCH)
	@mkdir -p $(dir $@)
	install -m 755 $< $@

TOOLS += $(M4RPC_BENCH)
VM_TESTS += $(BENCH_SMOKE)

bench: deps-vm vm-modules $(M4RPC_BENCH)
	@$(TOP)/scripts/vm-run.sh --timeout 1800 -- build/tools/m4rpc-bench $(BENCH_ARGS)

.PHONY: bench
