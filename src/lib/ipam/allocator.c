/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Next-fit allocation: continue after the last address handed out, wrap once, and succeed
 * whenever any address is free. Unlike random probing it never gives up early, and released
 * addresses are reused last, which keeps a just-freed address away from stale ARP caches.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ipam/ipam.h"
#include "shared/error.h"
#include "shared/hash.h"
#include "shared/macro.h"

void lease_db_init(struct lease_db *db, const struct inprefix *subnet)
{
	*db = (struct lease_db){ .subnet = *subnet };
}

void lease_db_done(struct lease_db *db)
{
	free(db->leases);
	db->leases = NULL;
	db->n = db->cap = 0;
}

void ipam_range(const struct inprefix *subnet, uint32_t *ret_first, uint32_t *ret_last)
{
	uint32_t net = inaddr_v4_host(&subnet->addr) & prefix_v4_mask(subnet->len);

	*ret_first = net + 2;
	*ret_last = (net | ~prefix_v4_mask(subnet->len)) - 1;
}

static bool sorted_contains(const uint32_t *v, size_t n, uint32_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid] == x)
			return true;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int ipam_next_free(uint32_t first, uint32_t last, uint32_t cursor, const uint32_t *used,
		   size_t n_used, uint32_t *ret)
{
	uint64_t size, start;

	if (first > last)
		return -ENOSPC;
	size = (uint64_t)last - first + 1;
	start = (cursor >= first && cursor < last) ? (uint64_t)cursor - first + 1 : 0;
	for (uint64_t i = 0; i < size; i++) {
		uint32_t candidate = (uint32_t)(first + (start + i) % size);

		if (!sorted_contains(used, n_used, candidate)) {
			*ret = candidate;
			return 0;
		}
	}
	return -ENOSPC;
}

const struct lease *lease_db_find(const struct lease_db *db, const char *id, const char *ifname)
{
	for (size_t i = 0; i < db->n; i++)
		if (strcmp(db->leases[i].id, id) == 0 && strcmp(db->leases[i].ifname, ifname) == 0)
			return &db->leases[i];
	return NULL;
}

const struct lease *lease_db_find_address(const struct lease_db *db, const struct inaddr *a)
{
	for (size_t i = 0; i < db->n; i++)
		if (inaddr_equal(&db->leases[i].address, a))
			return &db->leases[i];
	return NULL;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Copies a validated name: the caller's checks make truncation impossible, this keeps it so. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Inserts at index at, which keeps the table's order. */
static int lease_db_insert(struct lease_db *db, size_t at, const char *id, const char *ifname,
			   const struct inaddr *a)
{
	struct lease *l;

	if (ARRAY_RESERVE(db->leases, db->cap, db->n) < 0)
		return -ENOMEM;
	memmove(&db->leases[at + 1], &db->leases[at], (db->n - at) * sizeof(db->leases[0]));
	db->n++;
	l = &db->leases[at];
	*l = (struct lease){ .address = *a };
	copy_name(l->id, sizeof(l->id), id);
	copy_name(l->ifname, sizeof(l->ifname), ifname);
	return 0;
}

/* Where an address goes in a table sorted by address: the first lease not below it. */
static size_t lower_bound(const struct lease_db *db, uint32_t h)
{
	size_t lo = 0, hi = db->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (inaddr_v4_host(&db->leases[mid].address) < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* In the subnet's range: not the network, the gateway or the broadcast address. */
static bool assignable(const struct lease_db *db, const struct inaddr *a)
{
	uint32_t first, last, h = inaddr_v4_host(a);

	ipam_range(&db->subnet, &first, &last);
	return inprefix_contains(&db->subnet, a) && h >= first && h <= last;
}

int lease_db_allocate(struct lease_db *db, const char *id, const char *ifname,
		      const struct inaddr *want, struct inaddr *ret, struct brnet_error *err)
{
	char abuf[INADDR_STRLEN], pbuf[PREFIX_STRLEN];
	uint32_t first, last, pick;
	struct inaddr a;
	int r;

	if (lease_db_find(db, id, ifname))
		return brnet_err(err, EEXIST, "attachment %s/%s already holds a lease", id, ifname);
	ipam_range(&db->subnet, &first, &last);
	if (want && want->family != 0) {
		const struct lease *holder;

		if (!assignable(db, want))
			return brnet_err(err, EINVAL,
					 "invalid address %s: not an assignable host address of %s "
					 "(network, gateway and broadcast are reserved)",
					 inaddr_to_string(want, abuf),
					 inprefix_to_string(&db->subnet, pbuf));
		holder = lease_db_find_address(db, want);
		if (holder)
			return brnet_err(err, EADDRINUSE, "address %s is taken by %s/%s",
					 inaddr_to_string(want, abuf), holder->id, holder->ifname);
		a = *want;
	} else {
		_cleanup_(freep) uint32_t *used = NULL;
		uint32_t cursor = db->last.family ? inaddr_v4_host(&db->last) : 0;

		if (db->n > 0) {
			bool sorted = true;

			used = malloc(db->n * sizeof(*used));
			if (!used)
				return -ENOMEM;
			for (size_t i = 0; i < db->n; i++) {
				used[i] = inaddr_v4_host(&db->leases[i].address);
				sorted = sorted && (i == 0 || used[i - 1] < used[i]);
			}
			/* A loaded table is sorted already (lease_db_check_unique()). */
			if (!sorted)
				qsort(used, db->n, sizeof(*used), cmp_u32);
		}
		if (db->pool_first > first)
			first = db->pool_first;
		if (db->pool_last && db->pool_last < last)
			last = db->pool_last;
		r = ipam_next_free(first, last, cursor, used, db->n, &pick);
		if (r < 0 && (db->pool_first || db->pool_last)) {
			struct inaddr lo = inaddr_v4_from_host(first),
				      hi = inaddr_v4_from_host(last);
			char hbuf[INADDR_STRLEN];

			return brnet_err(err, ENOSPC,
					 "range %s-%s is full: all %u addresses are leased",
					 inaddr_to_string(&lo, abuf), inaddr_to_string(&hi, hbuf),
					 first > last ? 0 : last - first + 1);
		}
		if (r < 0)
			return brnet_err(err, ENOSPC,
					 "subnet %s is full: all %u addresses are leased",
					 inprefix_to_string(&db->subnet, pbuf),
					 first > last ? 0 : last - first + 1);
		a = inaddr_v4_from_host(pick);
	}
	r = lease_db_insert(db, lower_bound(db, inaddr_v4_host(&a)), id, ifname, &a);
	if (r < 0)
		return r;
	db->last = a;
	*ret = a;
	return 0;
}

int lease_db_restore(struct lease_db *db, const char *id, const char *ifname,
		     const struct inaddr *a)
{
	if (!assignable(db, a))
		return -EINVAL;
	return lease_db_insert(db, db->n, id, ifname, a);
}

static int cmp_by_address(const void *x, const void *y)
{
	uint32_t ha = inaddr_v4_host(&((const struct lease *)x)->address),
		 hb = inaddr_v4_host(&((const struct lease *)y)->address);

	return ha < hb ? -1 : ha > hb;
}

static uint64_t owner_hash(const struct lease *l)
{
	return fnv1a64(fnv1a64(FNV1A64_INIT, l->id, strlen(l->id) + 1), l->ifname,
		       strlen(l->ifname));
}

/* Two leases of one attachment, found in one pass with an open-addressing hash table. */
static int check_owners(const struct lease_db *db, const struct lease **ret_dup)
{
	_cleanup_(freep) uint32_t *slot = NULL; /* index + 1 into leases; 0: empty */
	size_t size = 16;

	while (size < 2 * db->n)
		size *= 2;
	slot = calloc(size, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < db->n; i++) {
		const struct lease *l = &db->leases[i];
		size_t k = owner_hash(l) & (size - 1);

		for (; slot[k]; k = (k + 1) & (size - 1)) {
			const struct lease *o = &db->leases[slot[k] - 1];

			if (strcmp(o->id, l->id) == 0 && strcmp(o->ifname, l->ifname) == 0) {
				*ret_dup = l;
				return -EEXIST;
			}
		}
		slot[k] = (uint32_t)i + 1;
	}
	return 0;
}

int lease_db_check_unique(struct lease_db *db, bool by_address, const struct lease **ret_dup)
{
	bool sorted = true;

	if (db->n < 2)
		return 0;
	if (!by_address)
		return check_owners(db, ret_dup);
	/* brnet writes the table in address order; a table in another order is sorted once. */
	for (size_t i = 1; i < db->n && sorted; i++)
		sorted = cmp_by_address(&db->leases[i - 1], &db->leases[i]) <= 0;
	if (!sorted)
		qsort(db->leases, db->n, sizeof(db->leases[0]), cmp_by_address);
	for (size_t i = 1; i < db->n; i++)
		if (cmp_by_address(&db->leases[i - 1], &db->leases[i]) == 0) {
			*ret_dup = &db->leases[i];
			return -EEXIST;
		}
	return 0;
}

int lease_db_release(struct lease_db *db, const char *id, const char *ifname)
{
	for (size_t i = 0; i < db->n; i++) {
		if (strcmp(db->leases[i].id, id) != 0 || strcmp(db->leases[i].ifname, ifname) != 0)
			continue;
		/* Closing the gap keeps the order. */
		memmove(&db->leases[i], &db->leases[i + 1],
			(db->n - i - 1) * sizeof(db->leases[0]));
		db->n--;
		return 1;
	}
	return 0;
}
