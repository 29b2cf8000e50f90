/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Next-fit allocation: continue after the last address handed out, wrap once, and succeed
 * whenever any address is free. Unlike random probing it never gives up early, and released
 * addresses are reused last, which keeps a just-freed address away from stale ARP caches.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ipam/ipam.h"
#include "shared/error.h"

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

static int lease_db_add(struct lease_db *db, const char *id, const char *ifname,
			const struct inaddr *a)
{
	struct lease *l;

	if (ARRAY_RESERVE(db->leases, db->cap, db->n) < 0)
		return -ENOMEM;
	l = &db->leases[db->n++];
	*l = (struct lease){ .address = *a };
	snprintf(l->id, sizeof(l->id), "%s", id);
	snprintf(l->ifname, sizeof(l->ifname), "%s", ifname);
	return 0;
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
			used = malloc(db->n * sizeof(*used));
			if (!used)
				return -ENOMEM;
			for (size_t i = 0; i < db->n; i++)
				used[i] = inaddr_v4_host(&db->leases[i].address);
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
	r = lease_db_add(db, id, ifname, &a);
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
	return lease_db_add(db, id, ifname, a);
}

static int cmp_by_address(const void *x, const void *y)
{
	const struct lease *a = *(const struct lease *const *)x,
			   *b = *(const struct lease *const *)y;
	uint32_t ha = inaddr_v4_host(&a->address), hb = inaddr_v4_host(&b->address);

	return ha < hb ? -1 : ha > hb;
}

static int cmp_by_owner(const void *x, const void *y)
{
	const struct lease *a = *(const struct lease *const *)x,
			   *b = *(const struct lease *const *)y;
	int c = strcmp(a->id, b->id);

	return c ? c : strcmp(a->ifname, b->ifname);
}

int lease_db_check_unique(const struct lease_db *db, bool by_address, const struct lease **ret_dup)
{
	int (*cmp)(const void *, const void *) = by_address ? cmp_by_address : cmp_by_owner;
	_cleanup_(freep) const struct lease **v = NULL;

	if (db->n < 2)
		return 0;
	v = reallocarray(NULL, db->n, sizeof(const struct lease *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < db->n; i++)
		v[i] = &db->leases[i];
	qsort(v, db->n, sizeof(const struct lease *), cmp);
	for (size_t i = 1; i < db->n; i++)
		if (cmp(&v[i - 1], &v[i]) == 0) {
			*ret_dup = v[i];
			return -EEXIST;
		}
	return 0;
}

int lease_db_release(struct lease_db *db, const char *id, const char *ifname)
{
	for (size_t i = 0; i < db->n; i++) {
		if (strcmp(db->leases[i].id, id) != 0 || strcmp(db->leases[i].ifname, ifname) != 0)
			continue;
		db->leases[i] = db->leases[db->n - 1];
		db->n--;
		return 1;
	}
	return 0;
}
