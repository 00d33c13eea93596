/* kind.h - what a TCP stream is, from its first payload bytes. */
#ifndef MM_KIND_H
#define MM_KIND_H

#include <stddef.h>
#include <stdint.h>

enum kind {
	KIND_UNKNOWN = 0,
	KIND_QEMU,      /* QEMU migration stream: "QEVM" + version, sent by the source (client) */
	KIND_MULTIFD,   /* QEMU multifd channel: magic 0x11223344 + version, sent by the client */
	KIND_NBD,       /* NBD handshake "NBDMAGIC", sent by the server (listener) */
	KIND_TLS,       /* TLS handshake record; ClientHello from the client, ServerHello from the server */
	KIND_COUNT
};

/* Which side of the connection sends a recognised opening. */
enum kind_sender {
	KIND_FROM_UNKNOWN = 0,
	KIND_FROM_CLIENT,   /* the connecting side */
	KIND_FROM_LISTENER, /* the side that owns the listening port */
};

/*
 * Looks at the first n payload bytes of one direction of a stream.
 * Returns the kind (KIND_UNKNOWN when nothing matches or n is too small)
 * and stores in *sender which side must have sent these bytes.
 */
enum kind kind_detect(const uint8_t *p, size_t n, enum kind_sender *sender);

/* Stable name: "unknown", "qemu", "multifd", "nbd", "tls". */
const char *kind_name(enum kind k);

/*
 * Why a stream's kind could not be read (KIND_READ: it could).  A TLS
 * stream is recognised, but not what it carries.
 */
enum kind_unreadable {
	KIND_READ = 0,
	KIND_UNREAD_TLS,             /* encrypted: qemu, multifd or nbd cannot be told apart */
	KIND_UNREAD_SNAPLEN,         /* the first payload was cut by the snap length before the magic */
	KIND_UNREAD_NO_FIRST_PAYLOAD,/* the stream's first payload bytes were not captured (began mid-stream, or lost) */
	KIND_UNREAD_NO_PAYLOAD,      /* no payload at all (a refused or empty connection) */
	KIND_UNREAD_UNRECOGNISED,    /* the first bytes were seen and match no known opening */
	KIND_UNREAD_TLS_BULK,        /* TLS found by --ports any from its bulk data: a suspected migration */
	KIND_UNREAD_COUNT
};

/* Stable name: NULL for KIND_READ, else "tls", "snaplen", "no_first_payload", "no_payload", "unrecognised", "tls_bulk". */
const char *kind_unreadable_name(enum kind_unreadable r);

/* Bytes of an opening kind_detect needs to be sure: the magic and the version. */
#define KIND_NEED 8

/*
 * QEMU migration/multifd.c, MultiFDInit_t (packed), the first message of
 * a multifd channel: be32 magic 0x11223344, be32 version 1, the VM's
 * 16-byte UUID (QEMU's -uuid; zero when none was given), u8 channel id,
 * then reserved bytes.
 */
#define KIND_MULTIFD_INIT_LEN 25	/* bytes up to and including the channel id */

struct kind_multifd {
	uint8_t uuid[16];
	uint8_t channel;
};

/*
 * Parses a multifd channel's first n payload bytes.  Returns 0 with *out
 * filled; -1 when fewer than KIND_MULTIFD_INIT_LEN bytes were captured
 * (snap length); -2 when the bytes are not a MultiFDInit_t (magic or
 * version differ).  *out is zeroed unless 0 is returned.
 */
int kind_multifd_init(const uint8_t *p, size_t n, struct kind_multifd *out);

#endif
