/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module parameters with a range, checked when they are set: a value out
 * of range fails the module load (or the sysfs write) with EINVAL, and the
 * kernel log names the parameter. Every parameter of m4rpc.ko is one of
 * these; kernel/README.md has the one table of them.
 *
 *   M4RPC_PARAM_UINT(name, default, min, max, perm, "what it is")
 *
 * defines `unsigned int m4rpc_param_<name>`; read it with READ_ONCE() where
 * the parameter is writable. modinfo shows the text with the range and the
 * default appended.
 */
#ifndef M4RPC_PARAM_H
#define M4RPC_PARAM_H

#include <linux/moduleparam.h>
#include <linux/stringify.h>

struct m4rpc_param_range {
	unsigned int *val;
	unsigned int min, max;
};

extern const struct kernel_param_ops m4rpc_param_uint_ops;

#define M4RPC_PARAM_UINT(name, def, lo, hi, perm, desc)			\
	unsigned int m4rpc_param_##name = (def);				\
	static struct m4rpc_param_range m4rpc_param_range_##name = {		\
		.val = &m4rpc_param_##name, .min = (lo), .max = (hi),		\
	};								\
	module_param_cb(name, &m4rpc_param_uint_ops,			\
			&m4rpc_param_range_##name, perm);			\
	MODULE_PARM_DESC(name, desc " (" __stringify(lo) ".."		\
			 __stringify(hi) ", default " __stringify(def) ")")

#endif /* M4RPC_PARAM_H */
