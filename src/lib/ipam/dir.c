/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The leases of a network, a file each, in networks/<bridge>/leases/:
 *   10.0.42.7  "ID IFNAME\n": the address is leased to that attachment
 *   last       a symlink to the address handed out last: the next-fit cursor
 * Everything here runs under the network's lock. A lease is made with O_EXCL at the address
 * after the cursor, so a setup costs the same few system calls whatever the number of leases;
 * only when that address is taken is the directory read. (The whole table in one file,
 * leases.json, was read and rewritten by every setup and teardown: 0.3 ms each with a
 * thousand leases.) A network of an older brnet still has that file: its leases move here on
 * first use.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/ipam/ipam.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define LEASE_DIR "leases"
#define LEASE_DIR_NEW "leases.new"
#define LEASE_CURSOR "last"
/* "ID IFNAME\n" */
#define OWNER_MAX (BRNET_ID_MAX + IFNAMSIZ + 2)

int lease_owner_parse(const char *text, size_t len, char id[static BRNET_ID_MAX + 1],
		      char ifname[static IFNAMSIZ])
{
	const char *sp = memchr(text, ' ', len), *end = text + len;

	if (len == 0 || text[len - 1] != '\n' || !sp)
		return -EBADMSG;
	end--; /* the newline */
	if ((size_t)(sp - text) > BRNET_ID_MAX || (size_t)(end - sp - 1) >= IFNAMSIZ)
		return -EBADMSG;
	memcpy(id, text, (size_t)(sp - text));
	id[sp - text] = '\0';
	memcpy(ifname, sp + 1, (size_t)(end - sp - 1));
	ifname[end - sp - 1] = '\0';
	/* Both are checked as a setup checks them: no NUL, space or newline can hide in them. */
	if (strlen(id) != (size_t)(sp - text) || strlen(ifname) != (size_t)(end - sp - 1) ||
	    config_check_id(id, NULL) < 0 || config_check_ifname(ifname, "ifname", NULL) < 0)
		return -EBADMSG;
	return 0;
}

static int owner_read(int fd, const char *name, char id[static BRNET_ID_MAX + 1],
		      char ifname[static IFNAMSIZ])
{
	_cleanup_(closep) int file = -EBADF;
	char text[OWNER_MAX + 1];
	ssize_t n;

	file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (file < 0)
		return -errno;
	n = read(file, text, sizeof(text));
	if (n < 0)
		return -errno;
	if ((size_t)n > OWNER_MAX)
		return -EBADMSG;
	return lease_owner_parse(text, (size_t)n, id, ifname);
}

static int lease_write(int fd, const struct inaddr *a, const char *id, const char *ifname)
{
	char name[INADDR_STRLEN], text[OWNER_MAX + 1];
	int n = snprintf(text, sizeof(text), "%s %s\n", id, ifname);

	*inaddr_put_v4(name, a) = '\0';
	return write_file_new(fd, name, text, (size_t)n);
}

/* The cursor is a hint: without one (or with a damaged one) allocation starts at the bottom of
 * the range, and a cursor that cannot be written costs only that. */
static void cursor_read(int fd, struct inaddr *ret)
{
	char target[INADDR_STRLEN];
	ssize_t n = readlinkat(fd, LEASE_CURSOR, target, sizeof(target) - 1);

	if (n > 0) {
		target[n] = '\0';
		if (inaddr_parse_v4(target, ret) >= 0)
			return;
	}
	*ret = (struct inaddr){ 0 };
}

static void cursor_write(int fd, const struct inaddr *a)
{
	char target[INADDR_STRLEN];

	*inaddr_put_v4(target, a) = '\0';
	(void)unlinkat(fd, LEASE_CURSOR, 0);
	(void)symlinkat(target, fd, LEASE_CURSOR);
}

/* A stream over the directory fd, which stays the caller's. */
static DIR *opendir_at(int fd, const char *name)
{
	int dfd = open_dir(fd, name);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;

	if (dfd >= 0 && !d)
		close(dfd);
	return d;
}

/* Every lease: fn(address, id, ifname); id and ifname are empty for a file named like an
 * address of the subnet whose content is not an owner (a kill between its creation and its
 * write): its address is taken all the same. Other names are not leases. */
static int foreach_lease(int fd, const struct inprefix *subnet,
			 int (*fn)(const struct inaddr *a, const char *id, const char *ifname,
				   void *userdata),
			 void *userdata)
{
	DIR *d = opendir_at(fd, ".");
	struct dirent *de;
	int r = 0;

	if (!d)
		return -errno;
	while (r >= 0 && (errno = 0, de = readdir(d))) {
		char id[BRNET_ID_MAX + 1] = "", ifname[IFNAMSIZ] = "";
		struct inaddr a;

		if (inaddr_parse_v4(de->d_name, &a) < 0 || !inprefix_contains(subnet, &a))
			continue;
		r = owner_read(fd, de->d_name, id, ifname);
		if (r == -ENOENT) {
			r = 0;
			continue;
		}
		if (r == -EBADMSG)
			id[0] = ifname[0] = '\0';
		else if (r < 0)
			break;
		r = fn(&a, id, ifname, userdata);
	}
	if (r >= 0 && errno != 0)
		r = -errno;
	closedir(d);
	return r;
}

static int remove_all(int parent, const char *dir)
{
	DIR *d = opendir_at(parent, dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return unlinkat(parent, dir, AT_REMOVEDIR) < 0 ? -errno : 0;
}

/*
 * Makes the directory, with the leases of an older brnet's leases.json when there is one:
 * built whole as leases.new and renamed, then the old file goes. A kill before the rename
 * leaves the old file in charge (the next operation starts over); after it, the old file is
 * stale and gc removes it.
 */
static int dir_make(int dirfd, const char *dirpath, const struct inprefix *subnet,
		    struct brnet_error *err)
{
	_cleanup_(closep) int fd = -EBADF;
	struct lease_db db;
	int r;

	lease_db_init(&db, subnet);
	r = lease_db_load(dirfd, dirpath, &db, err);
	if (r < 0) {
		lease_db_done(&db); /* what it read before the damage */
		return r;
	}
	r = remove_all(dirfd, LEASE_DIR_NEW);
	if (r >= 0)
		r = fd = open_dir_made(dirfd, LEASE_DIR_NEW);
	for (size_t i = 0; r >= 0 && i < db.n; i++)
		r = lease_write(fd, &db.leases[i].address, db.leases[i].id, db.leases[i].ifname);
	if (r >= 0 && db.last.family)
		cursor_write(fd, &db.last);
	if (r >= 0 && renameat(dirfd, LEASE_DIR_NEW, dirfd, LEASE_DIR) < 0)
		r = -errno;
	if (r >= 0)
		(void)lease_db_remove_file(dirfd);
	lease_db_done(&db);
	if (r < 0)
		return brnet_err(err, r, "cannot make %s/" LEASE_DIR " (from leases.json): %s",
				 dirpath, strerror(-r));
	return 0;
}

int lease_store_open(int dirfd, const char *dirpath, const struct inprefix *subnet, bool make,
		     struct brnet_error *err)
{
	int fd = open_dir(dirfd, LEASE_DIR);

	if (fd == -ENOENT && !make)
		return -ENOENT;
	if (fd == -ENOENT) {
		int r = dir_make(dirfd, dirpath, subnet, err);

		if (r < 0)
			return r;
		fd = open_dir(dirfd, LEASE_DIR);
	}
	if (fd < 0)
		return brnet_err(err, -fd, "cannot open %s/" LEASE_DIR ": %s", dirpath,
				 strerror(-fd));
	return fd;
}

static int collect(const struct inaddr *a, const char *id, const char *ifname, void *userdata)
{
	return lease_db_restore(userdata, id, ifname, a) == -ENOMEM ? -ENOMEM : 0;
}

int lease_store_load(int fd, const char *dirpath, struct lease_db *db, struct brnet_error *err)
{
	int r = foreach_lease(fd, &db->subnet, collect, db);

	if (r < 0)
		return brnet_err(err, r, "cannot read the leases in %s/" LEASE_DIR ": %s", dirpath,
				 strerror(-r));
	cursor_read(fd, &db->last);
	return 0;
}

int lease_store_owner(int fd, const char *dirpath, const struct inaddr *a,
		      char id[static BRNET_ID_MAX + 1], char ifname[static IFNAMSIZ],
		      struct brnet_error *err)
{
	char name[INADDR_STRLEN];
	int r;

	*inaddr_put_v4(name, a) = '\0';
	r = owner_read(fd, name, id, ifname);
	if (r == -EBADMSG)
		return brnet_err(err, EBADMSG,
				 "lease file %s/" LEASE_DIR "/%s is not \"ID IFNAME\"", dirpath,
				 name);
	if (r < 0 && r != -ENOENT)
		return brnet_err(err, r, "cannot read %s/" LEASE_DIR "/%s: %s", dirpath, name,
				 strerror(-r));
	return r;
}

int lease_store_remove(int fd, const struct inaddr *a)
{
	char name[INADDR_STRLEN];

	*inaddr_put_v4(name, a) = '\0';
	if (unlinkat(fd, name, 0) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 1;
}

struct release {
	const char *id, *ifname;
	struct inaddr *found;
	size_t n, cap;
};

static int match_owner(const struct inaddr *a, const char *id, const char *ifname, void *userdata)
{
	struct release *rel = userdata;

	if (strcmp(id, rel->id) != 0 || strcmp(ifname, rel->ifname) != 0)
		return 0;
	if (ARRAY_RESERVE(rel->found, rel->cap, rel->n) < 0)
		return -ENOMEM;
	rel->found[rel->n++] = *a;
	return 0;
}

int lease_store_release(int fd, const char *dirpath, const struct inprefix *subnet,
			const struct inaddr *a, const char *id, const char *ifname,
			struct brnet_error *err)
{
	struct release rel = { .id = id, .ifname = ifname };
	int r, released = 0;

	if (a && a->family) {
		char oid[BRNET_ID_MAX + 1], oifname[IFNAMSIZ];

		r = lease_store_owner(fd, dirpath, a, oid, oifname, err);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
		/* Another attachment's since (gc released ours and the address went on): leave it.
		 */
		if (strcmp(oid, id) != 0 || strcmp(oifname, ifname) != 0)
			return 0;
		r = released = lease_store_remove(fd, a);
	} else {
		/* A setup killed between its lease and its record's next write: the address is
		 * not recorded, the lease is found by its owner. */
		r = foreach_lease(fd, subnet, match_owner, &rel);
		for (size_t i = 0; r >= 0 && i < rel.n; i++) {
			r = lease_store_remove(fd, &rel.found[i]);
			released += r > 0;
		}
		free(rel.found);
	}
	if (r < 0)
		return brnet_err(err, r,
				 "cannot release the leases of %s/%s in %s/" LEASE_DIR ": %s", id,
				 ifname, dirpath, strerror(-r));
	return released > 0;
}

int lease_store_allocate(int fd, const char *dirpath, struct lease_db *db, const char *id,
			 const char *ifname, const struct inaddr *want, struct inaddr *ret,
			 struct brnet_error *err)
{
	char oid[BRNET_ID_MAX + 1], oifname[IFNAMSIZ], abuf[INADDR_STRLEN];
	struct inaddr a;
	int r;

	/* The pure allocator, on a table of no lease, checks the wanted address or picks the
	 * one after the cursor; the file's O_EXCL says whether it is free. */
	cursor_read(fd, &db->last);
	r = lease_db_allocate(db, id, ifname, want, &a, err);
	if (r < 0)
		return r;
	r = lease_write(fd, &a, id, ifname);
	if (r == -EEXIST && want && want->family) {
		if (lease_store_owner(fd, dirpath, &a, oid, oifname, NULL) < 0)
			return brnet_err(err, EADDRINUSE,
					 "address %s is taken (its lease file "
					 "names no owner)",
					 inaddr_to_string(&a, abuf));
		return brnet_err(err, EADDRINUSE, "address %s is taken by %s/%s",
				 inaddr_to_string(&a, abuf), oid, oifname);
	}
	if (r == -EEXIST) {
		/* Taken: read them all, and pick again among the free ones. */
		lease_db_done(db);
		r = lease_store_load(fd, dirpath, db, err);
		if (r < 0)
			return r;
		r = lease_db_allocate(db, id, ifname, NULL, &a, err);
		if (r < 0)
			return r;
		r = lease_write(fd, &a, id, ifname);
	}
	if (r < 0)
		return brnet_err(err, r, "cannot write a lease in %s/" LEASE_DIR ": %s", dirpath,
				 strerror(-r));
	cursor_write(fd, &a);
	*ret = a;
	return 0;
}

int lease_store_drop_legacy(int dirfd)
{
	struct stat st;

	if (fstatat(dirfd, LEASE_DIR, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return lease_db_remove_file(dirfd);
}
