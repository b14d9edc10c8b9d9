# Out-of-tree modules, built in $(KOUT), a tree of symlinks to kernel/.
KBUILD_ARGS = -C $(KDIR) M=$(KOUT) $(if $(ARCH),ARCH=$(ARCH)) $(if $(CROSS_COMPILE),CROSS_COMPILE=$(CROSS_COMPILE))

modules: | deps-build
	@test -n "$(KDIR)" -a -d "$(KDIR)" || { echo "no kernel build dir: set KDIR" >&2; exit 1; }
	@mkdir -p $(KOUT) && cp -rsf $(TOP)/kernel/. $(KOUT)/
	$(MAKE) $(KBUILD_ARGS) modules

modules-clean:
	rm -rf $(KOUT)

.PHONY: modules modules-clean
