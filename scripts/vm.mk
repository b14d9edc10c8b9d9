# The test VM (scripts/vm-run.sh) and the targets built on it.
VM_KVER = $(shell $(TOP)/scripts/vm-kernel.sh)
HOST_CHECKS := $(TOP)/scripts/checkpatch-tap.sh $(TOP)/scripts/kbuild-w1-tap.sh

print-KOUT:
	@echo $(KOUT)

# The modules for the VM's kernel, whatever KDIR says for `make`.
vm-modules: deps-vm
	$(MAKE) modules KDIR=/lib/modules/$(VM_KVER)/build

check: deps-vm vm-modules userspace
	@$(TOP)/scripts/check.sh --host "$(HOST_CHECKS) $(HOST_TESTS)" --vm "$(VM_TESTS)"

check-debug: deps-debug userspace
	@kdir=$$($(TOP)/scripts/debug-kernel.sh) && $(MAKE) modules KDIR=$$kdir
	@$(TOP)/scripts/check.sh --debug --host "$(HOST_CHECKS) $(HOST_TESTS)" --vm "$(VM_TESTS)"

demo: deps-vm vm-modules userspace
	@$(TOP)/scripts/vm-run.sh --timeout 600 -- scripts/demo.sh

vm-shell: deps-vm vm-modules userspace
	$(TOP)/scripts/vm-run.sh --shell

.PHONY: print-KOUT vm-modules check check-debug demo vm-shell
