# lib/examples/ (issue 12): programs that show libm4rpc in use, each built
# by `make` and run in the VM by selftests/lib/lib_examples: the X8
# tutorial's sensor read-out, a method server, an epoll integration. They
# use the public header alone and link the shared library as any program
# would.
LIB_EXAMPLE_NAMES := sensors server epoll
LIB_EXAMPLES := $(addprefix $(B)/examples/m4rpc-example-,$(LIB_EXAMPLE_NAMES))

$(call obj-cflags,$(addprefix lib/examples/,$(addsuffix .c,$(LIB_EXAMPLE_NAMES))),\
	LIBM4RPC_CFLAGS)

$(LIB_EXAMPLES): $(B)/examples/m4rpc-example-%: $(B)/obj/lib/examples/%.o \
		$$(LIBM4RPC_SO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LIBM4RPC_LDLIBS)

# Programs: `make` builds them (build/examples/, not installed tools).
TOOLS += $(LIB_EXAMPLES)
