# The test VM (scripts/vm-run.sh) and the targets built on it.
VM_KVER = $(shell $(TOP)/scripts/vm-kernel.sh)
# The VM suite runs bottom-up (simulator, emulator, link, endpoints, tty), so the
# first failure points at the lowest broken layer; anything unlisted runs last.
VM_LAYERS := sim_kmod h7emu_% rawcall link_% ep_% tty_%
VM_LAYERED = $(foreach l,$(VM_LAYERS),$(filter $(B)/selftests/$(l),$(VM_TESTS)))
VM_SUITE = $(VM_LAYERED) $(filter-out $(VM_LAYERED),$(VM_TESTS))
HOST_CHECKS := $(TOP)/scripts/checkpatch-tap.sh $(TOP)/scripts/kbuild-w1-tap.sh

# The modules for the VM's kernel, whatever KDIR says for `make`.
vm-modules: deps-vm
	$(MAKE) modules KDIR=/lib/modules/$(VM_KVER)/build

check: deps-vm vm-modules userspace
	@$(TOP)/scripts/check.sh --host "$(HOST_CHECKS) $(HOST_TESTS)" --vm "$(VM_SUITE)"

check-debug: deps-debug userspace
	@kdir=$$($(TOP)/scripts/debug-kernel.sh) && $(MAKE) modules KDIR=$$kdir
	@$(TOP)/scripts/check.sh --debug --host "$(HOST_CHECKS) $(HOST_TESTS)" --vm "$(VM_SUITE)"

demo: deps-vm vm-modules userspace
	@$(TOP)/scripts/vm-run.sh --timeout 600 -- scripts/demo.sh

vm-shell: deps-vm vm-modules userspace
	$(TOP)/scripts/vm-run.sh --shell

.PHONY: vm-modules check check-debug demo vm-shell

print-%:
	@echo $($*)
