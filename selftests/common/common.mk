# Helpers every VM selftest links (selftests/common/vm_util.h): time, sysfs
# files, module load/unload, moving an SPI device between drivers.
VM_UTIL_OBJ := $(B)/obj/selftests/common/vm_util.o
