/* iflist.h - the interfaces command: links, state, addresses and counters. */
#ifndef MM_IFLIST_H
#define MM_IFLIST_H

/* `migmeter interfaces [--format text|json] [IFACE...]`; returns the exit status. */
int iflist_main(int argc, char **argv);

#endif
