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
/* "leases.new/" and a dotted quad */
#define LEASE_PATH_MAX (sizeof(LEASE_DIR_NEW "/") + INADDR_STRLEN)
/* "ID IFNAME\n" */
#define OWNER_MAX (BRNET_ID_MAX + IFNAMSIZ + 2)

static void lease_path(const char *dir, const struct inaddr *a, char buf[static LEASE_PATH_MAX])
{
	char *at = stpcpy(stpcpy(buf, dir), "/");

	*inaddr_put_v4(at, a) = '\0';
}

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

static int owner_read(int dirfd, const char *path, char id[static BRNET_ID_MAX + 1],
		      char ifname[static IFNAMSIZ])
{
	_cleanup_(closep) int fd = -EBADF;
	char text[OWNER_MAX + 1];
	ssize_t n;

	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text));
	if (n < 0)
		return -errno;
	if ((size_t)n > OWNER_MAX)
		return -EBADMSG;
	return lease_owner_parse(text, (size_t)n, id, ifname);
}

static int lease_write(int dirfd, const char *dir, const struct inaddr *a, const char *id,
		       const char *ifname)
{
	char path[LEASE_PATH_MAX], text[OWNER_MAX + 1];
	int n = snprintf(text, sizeof(text), "%s %s\n", id, ifname);

	lease_path(dir, a, path);
	return write_file_new(dirfd, path, text, (size_t)n);
}

/* The cursor is a hint: without one (or with a damaged one) allocation starts at the bottom of
 * the range, and a cursor that cannot be written costs only that. */
static void cursor_read(int dirfd, const char *dir, struct inaddr *ret)
{
	char path[LEASE_PATH_MAX], target[INADDR_STRLEN];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/" LEASE_CURSOR, dir);
	n = readlinkat(dirfd, path, target, sizeof(target) - 1);
	if (n <= 0) {
		*ret = (struct inaddr){ 0 };
		return;
	}
	target[n] = '\0';
	if (inaddr_parse_v4(target, ret) < 0)
		*ret = (struct inaddr){ 0 };
}

static void cursor_write(int dirfd, const char *dir, const struct inaddr *a)
{
	char path[LEASE_PATH_MAX], target[INADDR_STRLEN];

	snprintf(path, sizeof(path), "%s/" LEASE_CURSOR, dir);
	*inaddr_put_v4(target, a) = '\0';
	(void)unlinkat(dirfd, path, 0);
	(void)symlinkat(target, dirfd, path);
}

/* Every lease in dir: fn(address, id, ifname); id and ifname are empty for a file named like an
 * address of the subnet whose content is not an owner (a kill between its creation and its
 * write): its address is taken all the same. Other names are not leases. */
static int foreach_lease(int parent, const char *dir, const struct inprefix *subnet,
			 int (*fn)(const struct inaddr *a, const char *id, const char *ifname,
				   void *userdata),
			 void *userdata)
{
	_cleanup_(closep) int fd = -EBADF;
	struct dirent *de;
	DIR *d;
	int r = 0;

	fd = openat(parent, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -EBADF; /* the stream has it now */
	while (r >= 0 && (errno = 0, de = readdir(d))) {
		char id[BRNET_ID_MAX + 1] = "", ifname[IFNAMSIZ] = "";
		struct inaddr a;

		if (inaddr_parse_v4(de->d_name, &a) < 0 || !inprefix_contains(subnet, &a))
			continue;
		r = owner_read(dirfd(d), de->d_name, id, ifname);
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
	_cleanup_(closep) int fd = -EBADF;
	struct dirent *de;
	DIR *d;

	fd = openat(parent, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -EBADF;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return unlinkat(parent, dir, AT_REMOVEDIR) < 0 ? -errno : 0;
}

/*
 * Makes the directory, moving an older brnet's leases.json into it when there is one: built
 * whole as leases.new and renamed, then the old file goes. A kill before the rename leaves the
 * old file in charge (the next operation starts over); after it, the old file is stale and gc
 * removes it.
 */
static int dir_make(int dirfd, const char *dirpath, const struct inprefix *subnet,
		    struct brnet_error *err)
{
	struct lease_db db;
	int r;

	lease_db_init(&db, subnet);
	r = lease_db_load(dirfd, dirpath, &db, err);
	if (r < 0) {
		lease_db_done(&db); /* what it read before the damage */
		return r;
	}
	if (db.n == 0 && !db.last.family) {
		if (mkdirat(dirfd, LEASE_DIR, 0700) < 0 && errno != EEXIST)
			r = brnet_err(err, errno, "cannot make %s/" LEASE_DIR ": %s", dirpath,
				      strerror(errno));
		else
			(void)lease_db_remove_file(dirfd);
		lease_db_done(&db);
		return r;
	}
	r = remove_all(dirfd, LEASE_DIR_NEW);
	if (r >= 0 && mkdirat(dirfd, LEASE_DIR_NEW, 0700) < 0)
		r = -errno;
	for (size_t i = 0; r >= 0 && i < db.n; i++)
		r = lease_write(dirfd, LEASE_DIR_NEW, &db.leases[i].address, db.leases[i].id,
				db.leases[i].ifname);
	if (r >= 0 && db.last.family)
		cursor_write(dirfd, LEASE_DIR_NEW, &db.last);
	if (r >= 0 && renameat(dirfd, LEASE_DIR_NEW, dirfd, LEASE_DIR) < 0)
		r = -errno;
	if (r >= 0)
		(void)lease_db_remove_file(dirfd);
	lease_db_done(&db);
	if (r < 0)
		return brnet_err(err, r,
				 "cannot move the leases of %s/leases.json to %s/" LEASE_DIR ": %s",
				 dirpath, dirpath, strerror(-r));
	return 0;
}

/* After an operation found nothing (-ENOENT): 1 when the directory was missing and is made now
 * (try again), 0 when it was there, or an error. */
static int made_dir(int dirfd, const char *dirpath, const struct inprefix *subnet,
		    struct brnet_error *err)
{
	struct stat st;
	int r;

	if (fstatat(dirfd, LEASE_DIR, &st, AT_SYMLINK_NOFOLLOW) >= 0 || errno != ENOENT)
		return 0;
	r = dir_make(dirfd, dirpath, subnet, err);
	return r < 0 ? r : 1;
}

static int collect(const struct inaddr *a, const char *id, const char *ifname, void *userdata)
{
	return lease_db_restore(userdata, id, ifname, a) == -ENOMEM ? -ENOMEM : 0;
}

int lease_store_load(int dirfd, const char *dirpath, struct lease_db *db, struct brnet_error *err)
{
	int r;

	for (int tries = 0;; tries++) {
		r = foreach_lease(dirfd, LEASE_DIR, &db->subnet, collect, db);
		if (r != -ENOENT || tries > 0)
			break;
		r = made_dir(dirfd, dirpath, &db->subnet, err);
		if (r <= 0)
			return r == 0 ? brnet_err(err, ENOENT, "%s/" LEASE_DIR " vanished", dirpath)
				      : r;
	}
	if (r < 0)
		return brnet_err(err, r, "cannot read the leases in %s/" LEASE_DIR ": %s", dirpath,
				 strerror(-r));
	cursor_read(dirfd, LEASE_DIR, &db->last);
	return 0;
}

int lease_store_owner(int dirfd, const char *dirpath, const struct inprefix *subnet,
		      const struct inaddr *a, char id[static BRNET_ID_MAX + 1],
		      char ifname[static IFNAMSIZ], struct brnet_error *err)
{
	char path[LEASE_PATH_MAX];
	int r;

	lease_path(LEASE_DIR, a, path);
	for (int tries = 0;; tries++) {
		r = owner_read(dirfd, path, id, ifname);
		if (r != -ENOENT || tries > 0)
			break;
		r = made_dir(dirfd, dirpath, subnet, err);
		if (r < 0)
			return r;
		if (r == 0)
			return -ENOENT;
	}
	if (r == -ENOENT)
		return r;
	if (r == -EBADMSG)
		return brnet_err(err, EBADMSG, "lease file %s/%s is not \"ID IFNAME\"", dirpath,
				 path);
	if (r < 0)
		return brnet_err(err, r, "cannot read %s/%s: %s", dirpath, path, strerror(-r));
	return 0;
}

int lease_store_remove(int dirfd, const struct inaddr *a)
{
	char path[LEASE_PATH_MAX];

	lease_path(LEASE_DIR, a, path);
	if (unlinkat(dirfd, path, 0) < 0)
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

int lease_store_release(int dirfd, const char *dirpath, const struct inprefix *subnet,
			const struct inaddr *a, const char *id, const char *ifname,
			struct brnet_error *err)
{
	struct release rel = { .id = id, .ifname = ifname };
	int r, released = 0;

	if (a && a->family) {
		char oid[BRNET_ID_MAX + 1], oifname[IFNAMSIZ];

		r = lease_store_owner(dirfd, dirpath, subnet, a, oid, oifname, err);
		if (r == -ENOENT)
			return 0;
		if (r < 0)
			return r;
		/* Another attachment's since (gc released ours and the address went on): leave it.
		 */
		if (strcmp(oid, id) != 0 || strcmp(oifname, ifname) != 0)
			return 0;
		r = lease_store_remove(dirfd, a);
		if (r < 0)
			return brnet_err(err, r, "cannot remove the lease of %s/%s: %s", id, ifname,
					 strerror(-r));
		return r;
	}
	/* A setup killed between its lease and its record's next write: the address is not
	 * recorded, the lease is found by its owner. */
	for (int tries = 0;; tries++) {
		r = foreach_lease(dirfd, LEASE_DIR, subnet, match_owner, &rel);
		if (r != -ENOENT || tries > 0)
			break;
		r = made_dir(dirfd, dirpath, subnet, err);
		if (r <= 0) {
			free(rel.found);
			return r;
		}
	}
	for (size_t i = 0; r >= 0 && i < rel.n; i++) {
		r = lease_store_remove(dirfd, &rel.found[i]);
		released += r > 0;
	}
	free(rel.found);
	if (r < 0)
		return brnet_err(err, r,
				 "cannot release the leases of %s/%s in %s/" LEASE_DIR ": %s", id,
				 ifname, dirpath, strerror(-r));
	return released > 0;
}

static int taken_by(int dirfd, const char *dirpath, const struct inaddr *a, struct brnet_error *err)
{
	char path[LEASE_PATH_MAX], id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ], abuf[INADDR_STRLEN];

	lease_path(LEASE_DIR, a, path);
	if (owner_read(dirfd, path, id, ifname) < 0)
		return brnet_err(err, EADDRINUSE, "address %s is taken (lease file %s/%s)",
				 inaddr_to_string(a, abuf), dirpath, path);
	return brnet_err(err, EADDRINUSE, "address %s is taken by %s/%s", inaddr_to_string(a, abuf),
			 id, ifname);
}

int lease_store_allocate(int dirfd, const char *dirpath, struct lease_db *db, const char *id,
			 const char *ifname, const struct inaddr *want, struct inaddr *ret,
			 struct brnet_error *err)
{
	bool wanted = want && want->family;
	struct inaddr a;
	int r;

	/* The pure allocator, on a table of no lease, checks the wanted address or picks the
	 * one after the cursor; the file's O_EXCL says whether it is free. */
	for (int tries = 0;; tries++) {
		cursor_read(dirfd, LEASE_DIR, &db->last);
		r = lease_db_allocate(db, id, ifname, want, &a, err);
		if (r < 0)
			return r;
		r = lease_write(dirfd, LEASE_DIR, &a, id, ifname);
		if (r != -ENOENT || tries > 0)
			break;
		lease_db_done(db);
		r = made_dir(dirfd, dirpath, &db->subnet, err);
		if (r < 0)
			return r;
	}
	if (r == -EEXIST && wanted)
		return taken_by(dirfd, dirpath, &a, err);
	if (r == -EEXIST) {
		/* Taken: read them all, and pick again among the free ones. */
		lease_db_done(db);
		r = lease_store_load(dirfd, dirpath, db, err);
		if (r < 0)
			return r;
		r = lease_db_allocate(db, id, ifname, NULL, &a, err);
		if (r < 0)
			return r;
		r = lease_write(dirfd, LEASE_DIR, &a, id, ifname);
	}
	if (r < 0)
		return brnet_err(err, r, "cannot write a lease in %s/" LEASE_DIR ": %s", dirpath,
				 strerror(-r));
	cursor_write(dirfd, LEASE_DIR, &a);
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
