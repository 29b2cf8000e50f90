/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * IPAM: a pure next-fit allocator over an in-memory lease table, and its store (a file per lease
 * in a directory per network, under the network's OFD lock held by the caller).
 */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "brnet.h"
#include "shared/inaddr.h"

struct lease {
	struct inaddr address;
	char id[BRNET_ID_MAX + 1];
	char ifname[IFNAMSIZ];
};

struct lease_db {
	struct inprefix subnet;
	struct inaddr last; /* next-fit cursor: the most recent allocation; family 0 if none */
	uint32_t pool_first, pool_last; /* narrows automatic allocation (host order); 0: none */
	struct lease *leases;
	size_t n, cap;
};

void lease_db_init(struct lease_db *db, const struct inprefix *subnet);
void lease_db_done(struct lease_db *db);

/* Allocatable range of a subnet: network + 2 (after the gateway) .. broadcast - 1. */
void ipam_range(const struct inprefix *subnet, uint32_t *ret_first, uint32_t *ret_last);

/* Next-fit: the first free address after cursor, wrapping once around the range. used is sorted
 * ascending. -ENOSPC when every address is taken. Pure. */
int ipam_next_free(uint32_t first, uint32_t last, uint32_t cursor, const uint32_t *used,
		   size_t n_used, uint32_t *ret);

const struct lease *lease_db_find(const struct lease_db *db, const char *id, const char *ifname);
const struct lease *lease_db_find_address(const struct lease_db *db, const struct inaddr *a);

/* Leases an address to (id, ifname): want if given (it must lie in the range and be free),
 * else the next free one. -EINVAL, -EADDRINUSE, -ENOSPC with a message. */
int lease_db_allocate(struct lease_db *db, const char *id, const char *ifname,
		      const struct inaddr *want, struct inaddr *ret, struct brnet_error *err);
/* Appends a stored lease after checking only that a is assignable (-EINVAL); the caller checks
 * the whole table once with lease_db_check_unique(). Loading n leases is O(n) when they come in
 * address order, as brnet writes them, and O(n log n) otherwise. */
int lease_db_restore(struct lease_db *db, const char *id, const char *ifname,
		     const struct inaddr *a);
/* 0, or -EEXIST with *ret_dup naming a lease whose address (by_address) or attachment (not
 * by_address) another lease holds too. By address, it first sorts the table by address: the
 * order allocation and release keep from then on, and the order the file is written in. */
int lease_db_check_unique(struct lease_db *db, bool by_address, const struct lease **ret_dup);
/* Returns 1 when a lease was released, 0 when there was none. */
int lease_db_release(struct lease_db *db, const char *id, const char *ifname);

/* The lease file of an older brnet, networks/<bridge>/leases.json (dirfd), read to move its
 * leases into the directory below. A missing file is an empty table; a corrupt one is -EBADMSG
 * with a message naming the file. */
int lease_db_load(int dirfd, const char *dirpath, struct lease_db *db, struct brnet_error *err);
/* Parses the text of a lease file; the fuzzable half of lease_db_load. */
int lease_db_parse(const char *text, size_t len, struct lease_db *db, char *why, size_t why_size);
/* Removes the file: 1, 0 when there was none, or -errno. */
int lease_db_remove_file(int dirfd);

/*
 * The store: networks/<bridge>/leases/, a file per leased address holding "ID IFNAME\n", and
 * the cursor. The caller holds the network's lock. fd is the directory lease_store_open()
 * gives; dirpath, networks/<bridge>'s path, is for messages.
 */
/* Opens the directory (dirfd: networks/<bridge>), making it when it is missing and moving the
 * leases of an older brnet's leases.json into it; without make, -ENOENT (no message) then.
 * The fd, or -errno with a message. */
int lease_store_open(int dirfd, const char *dirpath, const struct inprefix *subnet, bool make,
		     struct brnet_error *err);
/* Leases an address as lease_db_allocate() does, in a few system calls when the address after
 * the cursor is free. db: the subnet and pool set, no leases. */
int lease_store_allocate(int fd, const char *dirpath, struct lease_db *db, const char *id,
			 const char *ifname, const struct inaddr *want, struct inaddr *ret,
			 struct brnet_error *err);
/* Every lease into db (empty id and ifname for a file that names no owner), and the cursor. */
int lease_store_load(int fd, const char *dirpath, struct lease_db *db, struct brnet_error *err);
/* The owner of address a: 0, -ENOENT (no message) when it is not leased, -EBADMSG (with a
 * message) when its file names no owner. */
int lease_store_owner(int fd, const char *dirpath, const struct inaddr *a,
		      char id[static BRNET_ID_MAX + 1], char ifname[static IFNAMSIZ],
		      struct brnet_error *err);
/* Releases the lease of (id, ifname): of address a when known (a lease of a that another
 * attachment holds is left alone), else found by its owner. 1 when one was released, else 0. */
int lease_store_release(int fd, const char *dirpath, const struct inprefix *subnet,
			const struct inaddr *a, const char *id, const char *ifname,
			struct brnet_error *err);
/* Removes the lease of a whoever holds it: 1, 0 when there was none, or -errno. */
int lease_store_remove(int fd, const struct inaddr *a);
/* Removes a leases.json whose leases were moved (a kill after the move; dirfd:
 * networks/<bridge>): 1 if one was. */
int lease_store_drop_legacy(int dirfd);
/* Parses a lease file's "ID IFNAME\n" (both checked as a setup checks them): 0 or -EBADMSG. */
int lease_owner_parse(const char *text, size_t len, char id[static BRNET_ID_MAX + 1],
		      char ifname[static IFNAMSIZ]);
