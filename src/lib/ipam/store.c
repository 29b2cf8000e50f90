/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The lease file of an older brnet's network, read once to move its leases into the lease
 * directory (dir.c):
 *   {"subnet": "10.0.42.0/24", "last": "10.0.42.7",
 *    "leases": [{"address": "10.0.42.2", "id": "web", "ifname": "eth0"}, ...]}
 * Parsed strictly: a damaged file is refused with the file and the reason, never reset, since a
 * reset would hand out addresses that live containers still hold.
 */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/ipam/ipam.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define LEASE_FILE "leases.json"
#define LEASE_FILE_MAX (64u << 20)

static _printf_(3, 4) int why(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static int check_subnet(const struct lease_db *db, const char *subnet, char *whybuf,
			size_t why_size)
{
	struct inprefix p;

	if (!subnet || config_parse_subnet(subnet, &p, NULL) < 0)
		return why(whybuf, why_size, "%s", "\"subnet\" is missing or not a valid subnet");
	if (p.addr.v4.s_addr != db->subnet.addr.v4.s_addr || p.len != db->subnet.len)
		return why(whybuf, why_size, "holds leases of subnet %s, not of this network",
			   subnet);
	return 0;
}

/* One stored lease, checked as an allocation would be, then appended. */
static int add_stored(struct lease_db *db, const char *a, const char *id, const char *ifname,
		      char *whybuf, size_t why_size)
{
	struct inaddr addr;
	struct brnet_error e;
	int r;

	if (inaddr_parse_v4(a, &addr) < 0 || !inprefix_contains(&db->subnet, &addr))
		return why(whybuf, why_size, "lease address \"%.64s\" is not in the subnet", a);
	if (config_check_id(id, &e) < 0 || config_check_ifname(ifname, "ifname", &e) < 0)
		return why(whybuf, why_size, "%.200s", e.msg);
	/* The range checks of allocation (gateway, broadcast) apply to stored leases. */
	r = lease_db_restore(db, id, ifname, &addr);
	if (r == -EINVAL)
		return why(whybuf, why_size, "lease address \"%.64s\" is reserved", a);
	return r;
}

/* Duplicates once for the whole table (one pass by address, a hash of the owners): a
 * thousand leases cost a thousand, not a million. */
static int check_duplicates(struct lease_db *db, char *whybuf, size_t why_size)
{
	char abuf[INADDR_STRLEN];
	const struct lease *dup;
	int r;

	r = lease_db_check_unique(db, true, &dup);
	if (r == -EEXIST)
		return why(whybuf, why_size, "address %.64s is leased twice",
			   inaddr_to_string(&dup->address, abuf));
	if (r >= 0)
		r = lease_db_check_unique(db, false, &dup);
	if (r == -EEXIST)
		return why(whybuf, why_size, "attachment %.100s holds two leases", dup->id);
	return r;
}

/* The scanner of the fast path: a literal, or a string without escapes into buf. */
struct scan {
	const char *p, *end;
};

static bool eat(struct scan *s, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, lit, n) != 0)
		return false;
	s->p += n;
	return true;
}

static bool take(struct scan *s, char *buf, size_t size)
{
	const char *q;

	if (!eat(s, "\""))
		return false;
	for (q = s->p; q < s->end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return false;
	if (q == s->end || (size_t)(q - s->p) >= size)
		return false;
	memcpy(buf, s->p, (size_t)(q - s->p));
	buf[q - s->p] = '\0';
	s->p = q + 1;
	return true;
}

/*
 * The file exactly as brnet wrote it, read without building a JSON tree (jansson
 * took most of a setup's instructions with a thousand leases). 1: not in that form (the
 * caller then parses it as any JSON); otherwise 0 or -EBADMSG, as the full parse would.
 */
static int parse_fast(const char *text, size_t len, struct lease_db *db, char *whybuf,
		      size_t why_size)
{
	struct scan s = { text, text + len };
	char subnet[PREFIX_STRLEN], last[INADDR_STRLEN] = "", a[INADDR_STRLEN];
	char id[sizeof(db->leases[0].id)], ifname[sizeof(db->leases[0].ifname)];
	size_t n0 = db->n;
	int r;

	if (!eat(&s, "{\"subnet\":") || !take(&s, subnet, sizeof(subnet)) ||
	    !eat(&s, ",\"last\":") || (!eat(&s, "null") && !take(&s, last, sizeof(last))) ||
	    !eat(&s, ",\"leases\":["))
		return 1;
	r = check_subnet(db, subnet, whybuf, why_size);
	if (r < 0)
		return r;
	if (last[0] && inaddr_parse_v4(last, &db->last) < 0)
		return why(whybuf, why_size, "%s", "\"last\" is not an IPv4 address");
	for (bool first = true; !eat(&s, "]}"); first = false) {
		if ((!first && !eat(&s, ",")) || !eat(&s, "{\"address\":") ||
		    !take(&s, a, sizeof(a)) || !eat(&s, ",\"id\":") || !take(&s, id, sizeof(id)) ||
		    !eat(&s, ",\"ifname\":") || !take(&s, ifname, sizeof(ifname)) ||
		    !eat(&s, "}")) {
			db->n = n0;
			return 1;
		}
		r = add_stored(db, a, id, ifname, whybuf, why_size);
		if (r < 0)
			return r;
	}
	if (s.p != s.end) {
		db->n = n0;
		return 1;
	}
	if (!last[0])
		db->last = (struct inaddr){ 0 };
	return check_duplicates(db, whybuf, why_size);
}

int lease_db_parse(const char *text, size_t len, struct lease_db *db, char *whybuf, size_t why_size)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	json_error_t jerr;
	json_t *last, *leases, *item;
	size_t i;
	int r;

	r = parse_fast(text, len, db, whybuf, why_size);
	if (r <= 0)
		return r;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(whybuf, why_size, "line %d, column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		return -EBADMSG;
	}
	if (!json_is_object(root))
		return why(whybuf, why_size, "%s", "not a JSON object");
	r = check_subnet(db, json_string_value(json_object_get(root, "subnet")), whybuf, why_size);
	if (r < 0)
		return r;
	last = json_object_get(root, "last");
	if (last && !json_is_null(last)) {
		if (!json_is_string(last) ||
		    inaddr_parse_v4(json_string_value(last), &db->last) < 0)
			return why(whybuf, why_size, "%s", "\"last\" is not an IPv4 address");
	}
	leases = json_object_get(root, "leases");
	if (!json_is_array(leases))
		return why(whybuf, why_size, "%s", "\"leases\" is missing or not an array");
	json_array_foreach (leases, i, item) {
		const char *a, *id, *ifname;

		if (json_unpack(item, "{s:s, s:s, s:s}", "address", &a, "id", &id, "ifname",
				&ifname) < 0)
			return why(whybuf, why_size, "%s", "a lease lacks address, id or ifname");
		r = add_stored(db, a, id, ifname, whybuf, why_size);
		if (r < 0)
			return r;
	}
	r = check_duplicates(db, whybuf, why_size);
	if (r < 0)
		return r;
	if (!json_is_string(last)) /* false for NULL */
		db->last = (struct inaddr){ 0 };
	return 0;
}

int lease_db_load(int dirfd, const char *dirpath, struct lease_db *db, struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL;
	char reason[256];
	size_t len;
	int r;

	r = read_file_bounded(dirfd, LEASE_FILE, LEASE_FILE_MAX, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return brnet_err(err, r, "cannot read %s/" LEASE_FILE ": %s", dirpath,
				 strerror(-r));
	r = lease_db_parse(text, len, db, reason, sizeof(reason));
	if (r < 0)
		return brnet_err(err, r, "corrupt lease file %s/" LEASE_FILE ": %s", dirpath,
				 reason);
	return 0;
}

int lease_db_remove_file(int dirfd)
{
	if (unlinkat(dirfd, LEASE_FILE, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 1;
}
