/* capture.h - the capture command: live captures -> meter -> report, stopped cleanly. */
#ifndef MM_CAPTURE_H
#define MM_CAPTURE_H

/* `migmeter capture [OPTIONS] -i IFACE`; returns the exit status. */
int capture_main(int argc, char **argv);

#endif
