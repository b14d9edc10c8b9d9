# VM selftest of the simulated SPI link, m4rpc_sim.ko (kernel/sim/): its uapi
# against spidev bound to the simulated device, nIRQ as a driver sees it, its
# parameters, and unloading while busy. Needs root and the modules: it runs in
# the VM (scripts/vm-run.sh), which sets M4RPC_KMOD_DIR.
SIM_KMOD_TEST := $(B)/selftests/sim_kmod

# Every source here: the harness, board_sys.h.
SIM_KMOD_CFLAGS = $(KSFT_CFLAGS) -pthread -I$(TOP)/selftests/common
$(call obj-cflags,$(wildcard selftests/sim_kmod/*.c),SIM_KMOD_CFLAGS)

$(SIM_KMOD_TEST): $(B)/obj/selftests/sim_kmod/sim_kmod.o $$(VM_UTIL_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -pthread -o $@ $^

VM_TESTS += $(SIM_KMOD_TEST)

# The test's consumer of nIRQ, a test-only SPI driver (consumer/), built with
# the modules for the same kernel into $(KOUT)/sim_kmod_consumer/, where the
# test looks for it ($M4RPC_KMOD_DIR/sim_kmod_consumer/sim_irq_consumer.ko).
SIM_KMOD_CONSUMER = $(KOUT)/sim_kmod_consumer

modules: sim-kmod-consumer

sim-kmod-consumer: | deps-build
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "no kernel build dir: set KDIR" >&2; exit 1; }
	@mkdir -p $(SIM_KMOD_CONSUMER) && cp -rsf $(TOP)/selftests/sim_kmod/consumer/. $(SIM_KMOD_CONSUMER)/
	$(MAKE) $(subst M=$(KOUT),M=$(SIM_KMOD_CONSUMER),$(KBUILD_ARGS)) modules

.PHONY: sim-kmod-consumer
