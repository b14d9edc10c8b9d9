# m4rpc-sim: the H7 + M4 emulator (libh7emu.a, emu/) as a program, on a
# board of the m4rpc_sim kernel module.
M4RPC_SIM := $(B)/tools/m4rpc-sim

M4RPC_SIM_CFLAGS = -I$(TOP)/emu
$(call obj-cflags,tools/m4rpc-sim/main.c,M4RPC_SIM_CFLAGS)

$(M4RPC_SIM): $(B)/obj/tools/m4rpc-sim/main.o $$(H7EMU_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(H7EMU_LDLIBS)

TOOLS += $(M4RPC_SIM)
