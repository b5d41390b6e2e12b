/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sk_image_api.h - reading and checking a config image (sk_image.h).
 * Used by the dataplane before it compiles an image and by the control plane
 * to check what it wrote.  No EAL needed.
 */
#ifndef SK_IMAGE_API_H
#define SK_IMAGE_API_H

#include <stddef.h>
#include <stdint.h>
#include "sk_image.h"

/* CRC32C over the image body, as stored in hdr.crc. */
uint32_t sk_image_crc(const void *img, size_t len);

/*
 * Check everything a reader relies on: magic, version, byte order, lengths,
 * CRC, section bounds and record sizes, and every cross reference (zone,
 * interface, prefix and port indices, families, prefix lengths, NUL-terminated
 * strings).  0 if the image is safe to compile, else -EINVAL with a message.
 */
int sk_image_verify(const void *img, size_t len, char *err, size_t errlen);

/* Records of section id and their count; only valid on a verified image. */
static inline const void *
sk_image_sec(const struct sk_image_hdr *h, enum sk_image_sec_id id, uint32_t *count)
{
	if (count != NULL)
		*count = h->sec[id].count;
	return (const uint8_t *)h + h->sec[id].offset;
}

static inline const struct sk_img_settings *
sk_image_settings(const struct sk_image_hdr *h)
{
	return (const struct sk_img_settings *)sk_image_sec(h, SK_SEC_SETTINGS, NULL);
}

/* Read a file into a malloc'd buffer and verify it.  NULL with message on error. */
void *sk_image_load_file(const char *path, size_t *len, char *err, size_t errlen);

#endif /* SK_IMAGE_API_H */
