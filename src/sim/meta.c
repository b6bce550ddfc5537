/*
 * meta.c - the world's description files: geo.csv and asnames.json.gz.
 *
 * The simulator's output beside the archives (see sim/meta.h): what
 * darkwatch's geolocation and AS-name lookups will read when they replay
 * the simulated archives.
 *  - geo.csv is in the @ip-location-db "city" layout, without a header as
 *    those files have none: start,end,country_code,state1,state2,city,
 *    postcode,latitude,longitude,timezone.  One row per run of consecutive
 *    /24s with the same location, so rows never overlap and follow address
 *    order.
 *  - asnames.json.gz is pyasn's AS-name table (one JSON object, ASN strings
 *    to "NAME, CC" strings), gzip-compressed.
 * Both are written to a temporary name and renamed, so a reader never sees
 * half a file.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "darkwatch/err.h"
#include "sim/meta.h"

static int tmp_name(const char *path, char **out)
{
	size_t n = strlen(path) + 5;
	*out = malloc(n);
	if (!*out)
		return DW_ENOMEM;
	snprintf(*out, n, "%s.tmp", path);
	return 0;
}

static int finish(const char *tmp, const char *path, int rc, char *err,
		  size_t errlen)
{
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
		remove(tmp);
	}
	return rc;
}

static void ip4(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
}

int dw_sim_write_geo(const struct dw_sim_world *w, const char *path, char *err,
		     size_t errlen)
{
	const struct dw_sim_scenario *sc = w->sc;
	char *tmp = NULL, a[16], b[16];
	FILE *f = NULL;
	int rc = 0;

	if ((rc = tmp_name(path, &tmp)))
		goto fail;
	f = fopen(tmp, "w");
	if (!f) {
		rc = -errno;
		goto fail;
	}
	for (uint32_t i = 0; i < (1u << 24);) {
		uint16_t loc = w->loc24[i];
		uint32_t j = i + 1;
		if (!loc) {
			i++;
			continue;
		}
		while (j < (1u << 24) && w->loc24[j] == loc)
			j++;
		const struct dw_sim_region *r = &sc->regions[loc - 1];
		const struct dw_sim_country *c = &sc->countries[r->country];
		ip4(i << 8, a);
		ip4(((j - 1) << 8) | 255, b);
		if (fprintf(f, "%s,%s,%s,%s,,%s,%s,%.4f,%.4f,%s\n", a, b,
			    c->code, r->name, r->city, r->postcode, r->lat,
			    r->lon,
			    *r->timezone ? r->timezone : c->timezone) < 0) {
			rc = DW_EIO;
			goto fail;
		}
		i = j;
	}
fail:
	if (f && fclose(f) != 0 && !rc)
		rc = -errno;
	if (tmp)
		rc = finish(tmp, path, rc, err, errlen);
	else
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
	free(tmp);
	return rc;
}

/* Append s as a JSON string body (no quotes) to b; 0 or -1 when full. */
static int json_esc(char *b, size_t cap, size_t *o, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char e[8];
		size_t n;
		if (*p == '"' || *p == '\\') {
			e[0] = '\\';
			e[1] = (char)*p;
			n = 2;
		} else if (*p < 0x20) {
			n = (size_t)snprintf(e, sizeof(e), "\\u%04x", *p);
		} else {
			e[0] = (char)*p;
			n = 1;
		}
		if (*o + n >= cap)
			return -1;
		memcpy(b + *o, e, n);
		*o += n;
	}
	return 0;
}

int dw_sim_write_asnames(const struct dw_sim_world *w, const char *path,
			 char *err, size_t errlen)
{
	char *tmp = NULL, line[4200];
	gzFile f = NULL;
	int rc = 0;

	if ((rc = tmp_name(path, &tmp)))
		goto fail;
	errno = 0;
	f = gzopen(tmp, "wb");
	if (!f) {
		rc = errno ? -errno : DW_ENOMEM;
		goto fail;
	}
	if (gzputs(f, "{") < 0) {
		rc = DW_EIO;
		goto fail;
	}
	for (size_t i = 0; i < w->nnames; i++) {
		size_t o = (size_t)snprintf(line, sizeof(line), "%s\"%u\": \"",
					    i ? ", " : "", w->name_asn[i]);
		if (json_esc(line, sizeof(line) - 2, &o, w->name[i]) < 0) {
			rc = DW_ETOOBIG;
			goto fail;
		}
		line[o++] = '"';
		if (gzwrite(f, line, (unsigned)o) != (int)o) {
			rc = DW_EIO;
			goto fail;
		}
	}
	if (gzputs(f, "}\n") < 0)
		rc = DW_EIO;
fail:
	if (f && gzclose(f) != Z_OK && !rc)
		rc = DW_EIO;
	if (tmp)
		rc = finish(tmp, path, rc, err, errlen);
	else
		snprintf(err, errlen, "%s: %s", path, dw_strerror(rc));
	free(tmp);
	return rc;
}
