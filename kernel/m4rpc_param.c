// SPDX-License-Identifier: GPL-2.0
/*
 * The range-checked unsigned module parameters of m4rpc_param.h.
 */
#include <linux/kernel.h>
#include <linux/sysfs.h>
#include "m4rpc_param.h"

static int m4rpc_param_uint_set(const char *s, const struct kernel_param *kp)
{
	const struct m4rpc_param_range *r = kp->arg;
	unsigned int v;
	int ret;

	ret = kstrtouint(s, 0, &v);
	if (ret)
		return ret;
	if (v < r->min || v > r->max) {
		pr_err("m4rpc: %s=%u is out of range %u..%u\n", kp->name, v,
		       r->min, r->max);
		return -EINVAL;
	}
	WRITE_ONCE(*r->val, v);
	return 0;
}

static int m4rpc_param_uint_get(char *buf, const struct kernel_param *kp)
{
	const struct m4rpc_param_range *r = kp->arg;

	return sysfs_emit(buf, "%u\n", READ_ONCE(*r->val));
}

const struct kernel_param_ops m4rpc_param_uint_ops = {
	.set = m4rpc_param_uint_set,
	.get = m4rpc_param_uint_get,
};
