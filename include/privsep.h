/* privsep.h - dropping root after the captures are open; the root side only writes the outputs. */
#ifndef MM_PRIVSEP_H
#define MM_PRIVSEP_H

#include <stddef.h>

/*
 * Splits the process in two, as tcpdump -Z does but keeping atomic output:
 * the child drops to `user` (groups, gid, uid; it checks root cannot be
 * regained) and goes on to parse packets; every out_atomic() it makes is
 * relayed to the parent, which stays root, writes only paths listed in
 * `allowed` (NULL-terminated) and forwards SIGINT/SIGTERM to the child.
 * The parent resolves each allowed path once, as it starts (outpath.h:
 * symlinks followed, permissions checked), and writes a request there
 * only if the target is still what it was then: a new or regular file
 * that became a device, FIFO or symlink, or a device or FIFO replaced by
 * another, is refused with a one-line reason the child reports.
 *
 * Returns 1 in the child once privileges are dropped; 0 in the parent
 * after the child ended, with the child's exit status in *status; -1
 * with a one-line reason in err (unknown user, fork failed) in the
 * process that failed.
 */
int privsep_start(const char *user, char *const *allowed, int *status, char *err, size_t errlen);

/*
 * For a process that captures as an ordinary user with file capabilities
 * (setcap cap_net_raw,cap_net_admin=eip migmeter): once the captures are
 * open, clears every capability, so that the packet parser runs with none.
 * Returns 0, or -1 with a reason in err.
 */
int privsep_drop_caps(char *err, size_t errlen);

#endif
