/* kind.c - recognise QEMU, multifd, NBD and TLS streams from their opening bytes. */
#include "kind.h"

#include <string.h>

#include "cursor.h"

/* QEMU migration/savevm.c: QEMU_VM_FILE_MAGIC "QEVM", then QEMU_VM_FILE_VERSION. */
#define QEMU_MAGIC 0x5145564dU
/* QEMU migration/multifd.c: MULTIFD_MAGIC, MULTIFD_VERSION in MultiFDInit_t. */
#define MULTIFD_MAGIC 0x11223344U
/* NBD protocol (doc/proto.md): server's first 8 bytes, "NBDMAGIC". */
#define NBD_MAGIC_HI 0x4e42444dU
#define NBD_MAGIC_LO 0x41474943U
/* TLS (RFC 8446 §5.1): ContentType handshake(22), legacy version 3.x. */
#define TLS_HANDSHAKE 22

static enum kind detect_tls(struct cur *c, enum kind_sender *sender)
{
	uint8_t type = cur_u8(c);
	uint8_t major = cur_u8(c);
	uint8_t minor = cur_u8(c);
	uint16_t len = cur_be16(c);
	uint8_t hs = cur_u8(c);

	if (c->err || type != TLS_HANDSHAKE || major != 3 || minor > 4 || len == 0)
		return KIND_UNKNOWN;
	if (hs == 1)		/* ClientHello */
		*sender = KIND_FROM_CLIENT;
	else if (hs == 2)	/* ServerHello */
		*sender = KIND_FROM_LISTENER;
	else
		return KIND_UNKNOWN;
	return KIND_TLS;
}

enum kind kind_detect(const uint8_t *p, size_t n, enum kind_sender *sender)
{
	struct cur c;
	uint32_t magic, version;

	*sender = KIND_FROM_UNKNOWN;
	if (!p || n < 6)
		return KIND_UNKNOWN;

	cur_init(&c, p, n);
	if (detect_tls(&c, sender) == KIND_TLS)
		return KIND_TLS;

	cur_init(&c, p, n);
	magic = cur_be32(&c);
	version = cur_be32(&c);
	if (magic == QEMU_MAGIC) {
		/* Versions 2 and 3 are all QEMU has used; 8 bytes may be cut at snaplen. */
		if (!c.err && version != 2 && version != 3)
			return KIND_UNKNOWN;
		*sender = KIND_FROM_CLIENT;
		return KIND_QEMU;
	}
	if (magic == MULTIFD_MAGIC) {
		if (!c.err && version != 1)
			return KIND_UNKNOWN;
		*sender = KIND_FROM_CLIENT;
		return KIND_MULTIFD;
	}
	if (magic == NBD_MAGIC_HI && version == NBD_MAGIC_LO && !c.err) {
		*sender = KIND_FROM_LISTENER;
		return KIND_NBD;
	}
	return KIND_UNKNOWN;
}

const char *kind_name(enum kind k)
{
	static const char *const names[KIND_COUNT] = {
		[KIND_UNKNOWN] = "unknown",
		[KIND_QEMU] = "qemu",
		[KIND_MULTIFD] = "multifd",
		[KIND_NBD] = "nbd",
		[KIND_TLS] = "tls",
	};

	if ((unsigned)k >= KIND_COUNT)
		return "unknown";
	return names[k];
}

const char *kind_unreadable_name(enum kind_unreadable r)
{
	static const char *const names[KIND_UNREAD_COUNT] = {
		[KIND_READ] = NULL,
		[KIND_UNREAD_TLS] = "tls",
		[KIND_UNREAD_SNAPLEN] = "snaplen",
		[KIND_UNREAD_NO_FIRST_PAYLOAD] = "no_first_payload",
		[KIND_UNREAD_NO_PAYLOAD] = "no_payload",
		[KIND_UNREAD_UNRECOGNISED] = "unrecognised",
		[KIND_UNREAD_TLS_BULK] = "tls_bulk",
	};

	if ((unsigned)r >= KIND_UNREAD_COUNT)
		return "unrecognised";
	return names[r];
}

int kind_multifd_init(const uint8_t *p, size_t n, struct kind_multifd *out)
{
	struct cur c;
	uint32_t magic, version;

	memset(out, 0, sizeof(*out));
	if (!p)
		n = 0;
	cur_init(&c, p, n);
	magic = cur_be32(&c);
	version = cur_be32(&c);
	/* A short capture that still shows another magic is not multifd at all. */
	if ((!c.err && (magic != MULTIFD_MAGIC || version != 1)) ||
	    (c.err && n >= 4 && magic != MULTIFD_MAGIC))
		return -2;
	cur_copy(&c, out->uuid, sizeof(out->uuid));
	out->channel = cur_u8(&c);
	if (c.err) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return 0;
}
