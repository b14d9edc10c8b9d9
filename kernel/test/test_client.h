/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debugfs test client of a link (test_client.c): a link client that
 * passes UI bytes through unparsed, for the link's own tests. Both calls
 * sleep; add attaches it to @link (before m4rpc_link_start(), or at any time
 * after), remove detaches it and frees it.
 */
#ifndef M4RPC_TEST_CLIENT_H
#define M4RPC_TEST_CLIENT_H

struct dentry;
struct m4rpc_link;
struct m4rpc_tc;

/* Its files go to a directory named after the link's device, under @root. */
struct m4rpc_tc *m4rpc_tc_add(struct m4rpc_link *link, struct dentry *root);
void m4rpc_tc_remove(struct m4rpc_tc *tc);

#endif /* M4RPC_TEST_CLIENT_H */
