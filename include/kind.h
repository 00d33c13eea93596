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

#endif
