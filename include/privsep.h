/* privsep.h - dropping root after the captures are open; the root side only writes the outputs. */
#ifndef MM_PRIVSEP_H
#define MM_PRIVSEP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Splits the process in two, as tcpdump -Z does but keeping atomic output:
 * the child drops to `user` (groups, gid, uid; it checks root cannot be
 * regained) and goes on to parse packets; every out_atomic() it makes is
 * relayed to the parent, which stays root, writes only paths listed in
 * `allowed` (NULL-terminated) and forwards SIGINT/SIGTERM/SIGHUP to the child.
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

/*
 * Files a long capture opens as it goes (a -w part, --records again after
 * logrotate or rotated): the unprivileged child cannot create them, so
 * it asks the root parent, which opens them with the opener set here and
 * passes the descriptor back (SCM_RIGHTS over the relay socket).  The
 * parent decides every name itself (the child sends only op, which and a
 * time), so the child can make root open nothing but the next file of
 * an output the command line named.
 *
 * The opener returns a descriptor (>= 0), with err empty or holding a
 * one-line note for the user, or -1 with a one-line reason in err.  It is also called once in the parent, with PRIVSEP_OP_ENTER,
 * as the parent starts serving, to close what only the child writes (so
 * that a part the ring removes is not kept open by the parent).
 */
#define PRIVSEP_OP_ENTER 0
typedef int (*privsep_open_fn)(void *ctx, unsigned op, unsigned which, int64_t t, char *err,
			       size_t errlen);
void privsep_set_opener(privsep_open_fn fn, void *ctx);

/*
 * Opens file `op` (an op number of the opener's, not PRIVSEP_OP_ENTER):
 * in the unprivileged child through the root parent, elsewhere with the
 * opener directly.  Returns the descriptor (err: a note, or empty) or -1
 * with a reason in err.
 */
int privsep_open(unsigned op, unsigned which, int64_t t, char *err, size_t errlen);

#define PRIVSEP_OPEN_MAGIC 0x4d4d4f31u	/* "MMO1" */

/* The open request: as long as out_relay_req, whose magic tells them apart. */
struct privsep_open_req {
	uint32_t magic;
	uint16_t op, which;
	int64_t t;
};

#endif
