/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet_gc(): repair after kills and vanished containers. Each attachment is examined under
 * its own lock, taken without waiting: one that a setup or teardown is working on is skipped,
 * so gc is safe to run at any time. An interrupted `brnet policy` is carried out. Leftovers
 * that no record owns (leases, host veths on our bridges, map elements pointing into our
 * subnets) are removed last.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/attach.h"
#include "lib/config/config.h"
#include "lib/ctx.h"
#include "lib/ipam/ipam.h"
#include "lib/network.h"
#include "lib/netns/netns.h"
#include "lib/nft/egress.h"
#include "lib/nft/guard.h"
#include "lib/nft/publish.h"
#include "lib/record.h"
#include "lib/rtnl/rtnl.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

struct gc {
	brnet_ctx *ctx;
	bool dry_run;
	brnet_action_fn fn;
	void *userdata;
	int actions;
	int first_error;
	struct brnet_error *err;
	/* rtnetlink, for the links (NULL when it could not be opened: rtnl_error says why) */
	struct nl_sock *rtnl;
	int rtnl_error;
	/* what the records own */
	brnet_attachment **list;
	size_t n;
	/* our networks: their bridges and subnets say which veths and elements are ours */
	struct gc_network {
		char bridge[IFNAMSIZ];
		struct inprefix subnet;
		int ifindex;
	} * nets;
	size_t n_nets, cap_nets;
};

static _printf_(2, 3) void action(struct gc *gc, const char *fmt, ...)
{
	char msg[512];
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	len = strlen(msg);
	if (gc->dry_run && len + 16 < sizeof(msg))
		memcpy(msg + len, " (dry run)", 11);
	gc->actions++;
	if (gc->fn)
		gc->fn(msg, gc->userdata);
}

/* Records the first failure and goes on: gc repairs what it can. */
static void failed(struct gc *gc, int r, const struct brnet_error *e, const char *what)
{
	if (gc->first_error == 0) {
		gc->first_error = r;
		brnet_err(gc->err, -r, "%s: %s", what, e && e->code ? e->msg : strerror(-r));
	}
}

static bool namespace_gone(const struct brnet_attachment *a)
{
	int fd;

	if (a->pid > 0)
		return !proc_alive(a->pid, a->pid_start);
	fd = netns_open_path(a->netns, NULL);
	if (fd < 0)
		return true;
	close(fd);
	return false;
}

/* An active attachment whose pair is gone while its namespace's path stays: the namespace was
 * deleted and another made at that path (ip netns del and add, a runtime that re-creates a
 * container's), or the pair deleted. Nothing of it is left in the kernel but its elements:
 * its lease and ports are held for nothing. Asked under its lock, where no setup stands
 * between writing the record and making the pair; a link of that name not marked as ours
 * does not make it live. */
static bool veth_gone(struct nl_sock *rtnl, const struct brnet_attachment *a)
{
	struct link_info link;
	int r;

	if (!rtnl)
		return false;
	r = rtnl_link_get(rtnl, a->host_veth, &link, NULL);
	return r == -ENODEV || (r >= 0 && !record_host_alias_ours(a, link.alias));
}

static void gc_attachments(struct gc *gc)
{
	for (size_t i = 0; i < gc->n; i++) {
		const struct brnet_attachment *listed = gc->list[i];
		_cleanup_(attachment_done) struct brnet_attachment a = { 0 };
		struct brnet_error e = { 0 };
		const char *why;
		int fd, r;

		fd = record_lock(gc->ctx->attachments_dirfd, listed->id, listed->ifname, false);
		if (fd == -EBUSY)
			continue; /* a setup or teardown is at work on it */
		if (fd < 0) {
			failed(gc, fd, NULL, "cannot lock an attachment");
			continue;
		}
		r = record_load(gc->ctx->attachments_dirfd, listed->id, listed->ifname, &a, &e);
		if (r < 0) {
			if (r != -ENOENT)
				failed(gc, r, &e, "cannot read a record");
			closep(&fd);
			continue;
		}
		if (a.state == ATTACH_CONFIGURING)
			why = "setup was interrupted";
		else if (a.state == ATTACH_CLEANED)
			why = "teardown was interrupted";
		else if (namespace_gone(&a))
			why = a.pid > 0 ? "its process is gone" : "its namespace is gone";
		else if (veth_gone(gc->rtnl, &a)) /* without rtnetlink, none is judged gone */
			why = "its veth pair is gone (its namespace replaced, or the pair deleted)";
		else
			why = NULL;
		if (why) {
			action(gc, "remove attachment %s/%s: %s", a.id, a.ifname, why);
			if (!gc->dry_run) {
				r = attach_teardown_locked(gc->ctx, a.id, a.ifname, &e);
				if (r < 0)
					failed(gc, r, &e, "cannot remove an attachment");
			}
		} else if (a.state == ATTACH_ACTIVE && (a.journal & (1u << STEP_POLICY))) {
			/* Forward, to what was asked: the record holds the new policy. */
			action(gc,
			       "apply the recorded egress policy of %s/%s: brnet policy was "
			       "interrupted before the kernel had it",
			       a.id, a.ifname);
			if (!gc->dry_run) {
				r = attach_policy_finish(gc->ctx, &a, &e);
				if (r < 0)
					failed(gc, r, &e, "cannot finish a policy's replacement");
			}
		}
		closep(&fd);
	}
}

static bool owned_by_record(struct gc *gc, const char *id, const char *ifname)
{
	char name[RECORD_NAME_MAX];

	record_file_name(id, ifname, name);
	return faccessat(gc->ctx->attachments_dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* An allowlist file that no record names: left by a setup killed before its record was
 * created, or a teardown or policy change killed before removing the file. */
static void gc_allow_file(struct gc *gc, const char *name, const char *id, const char *ifname,
			  const uint8_t digest[static SHA256_DIGEST_SIZE])
{
	_cleanup_(closep) int lock = -EBADF;
	int r;

	lock = record_lock(gc->ctx->attachments_dirfd, id, ifname, false);
	if (lock < 0)
		return; /* a setup or teardown is at work on it */
	r = record_allow_file_named(gc->ctx->attachments_dirfd, name);
	if (r < 0) {
		failed(gc, r, NULL, "cannot read a record");
		return;
	}
	if (r > 0)
		return;
	action(gc, "remove allowlist file %s: no record names it", name);
	if (gc->dry_run)
		return;
	if (unlinkat(gc->ctx->attachments_dirfd, name, 0) < 0 && errno != ENOENT)
		failed(gc, -errno, NULL, "cannot remove an allowlist file");
	record_shared_allow_file_drop(gc->ctx->attachments_dirfd, digest);
}

/* ".<digest>.allow", a list's file: removed once no attachment's file links it (a kill
 * between writing it and linking it, or a teardown killed before removing it). */
static void gc_shared_allow_file(struct gc *gc, const char *name)
{
	if (!record_shared_allow_file_unlinked(gc->ctx->attachments_dirfd, name))
		return;
	action(gc, "remove allowlist file %s: no attachment links it", name);
	if (!gc->dry_run && unlinkat(gc->ctx->attachments_dirfd, name, 0) < 0 && errno != ENOENT)
		failed(gc, -errno, NULL, "cannot remove an allowlist file");
}

/* "<id>@<ifname>.lock": an older brnet locked each attachment with a file of its own and
 * removed it at the end, so only a kill left one. Removed once nobody holds it (an older brnet
 * still at work would); lock_file() re-checks, so a holder never loses its lock to this. */
static void gc_legacy_lock(struct gc *gc, const char *name)
{
	_cleanup_(closep) int lock = -EBADF;
	size_t len = strlen(name), tail = strlen(RECORD_LEGACY_LOCK_SUFFIX);

	if (len <= tail || strcmp(name + len - tail, RECORD_LEGACY_LOCK_SUFFIX) != 0 ||
	    !strchr(name, '@'))
		return;
	lock = lock_file(gc->ctx->attachments_dirfd, name, false);
	if (lock < 0)
		return;
	action(gc, "remove lock file %s: an older brnet's, left by a kill", name);
	if (!gc->dry_run && unlinkat(gc->ctx->attachments_dirfd, name, 0) < 0 && errno != ENOENT)
		failed(gc, -errno, NULL, "cannot remove an older lock file");
}

/* Files of the attachments directory that nothing needs any more. */
static void gc_attachment_files(struct gc *gc)
{
	_cleanup_(closep) int fd = -EBADF;
	struct dirent *de;
	DIR *d;

	fd = openat(gc->ctx->attachments_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(TAKE_FD(fd)) : NULL;
	if (!d) {
		failed(gc, -errno, NULL, "cannot read the attachments directory");
		return;
	}
	while ((de = readdir(d))) {
		char id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ];
		uint8_t digest[SHA256_DIGEST_SIZE];

		if (record_allow_file_split(de->d_name, id, ifname, digest) >= 0)
			gc_allow_file(gc, de->d_name, id, ifname, digest);
		else if (record_shared_allow_file_split(de->d_name, digest) >= 0)
			gc_shared_allow_file(gc, de->d_name);
		else
			gc_legacy_lock(gc, de->d_name);
	}
	closedir(d);
}

/* One network's leases whose record is gone; the network joins the list of ours, for the
 * steps after. */
static int gc_network_leases(const char *bridge, void *userdata)
{
	struct gc *gc = userdata;
	struct network net = { .dirfd = -EBADF, .lockfd = -EBADF };
	struct brnet_error e = { 0 };
	_cleanup_(closep) int leases = -EBADF;
	struct lease_db db;
	int r;

	r = network_open_locked(gc->ctx, bridge, NULL, NULL, &net, &e);
	if (r < 0) {
		failed(gc, r, &e, "cannot open a network");
		return 0;
	}
	if (!net.recorded) {
		network_close(&net);
		return 0;
	}
	/* Without room, this network's orphan veths and elements are left: never more. */
	if (ARRAY_RESERVE(gc->nets, gc->cap_nets, gc->n_nets) >= 0) {
		gc->nets[gc->n_nets] = (struct gc_network){ .subnet = net.subnet };
		snprintf(gc->nets[gc->n_nets++].bridge, IFNAMSIZ, "%s", net.bridge);
	}
	lease_db_init(&db, &net.subnet);
	/* A dry run leaves an older brnet's leases.json where it is, and reads it. */
	r = leases = lease_store_open(net.dirfd, net.path, &net.subnet, !gc->dry_run, &e);
	if (r == -ENOENT)
		r = lease_db_load(net.dirfd, net.path, &db, &e);
	else if (r >= 0)
		r = lease_store_load(leases, net.path, &db, &e);
	if (r < 0)
		failed(gc, r, &e, "cannot read leases");
	for (size_t i = 0; r >= 0 && i < db.n; i++) {
		const struct lease *l = &db.leases[i];
		char addr[INADDR_STRLEN];

		inaddr_to_string(&l->address, addr);
		if (!l->id[0])
			action(gc, "release lease %s of %s: its file names no owner", addr,
			       net.bridge);
		else if (!owned_by_record(gc, l->id, l->ifname))
			action(gc, "release lease %s of %s/%s: no attachment holds it", addr, l->id,
			       l->ifname);
		else
			continue;
		if (!gc->dry_run && (r = lease_store_remove(leases, &l->address)) < 0)
			failed(gc, r, NULL, "cannot remove a lease");
		r = 0;
	}
	if (r >= 0 && (gc->dry_run ? 0 : lease_store_drop_legacy(net.dirfd)) > 0)
		action(gc, "remove %s/leases.json: its leases were moved to %s/leases", net.path,
		       net.path);
	lease_db_done(&db);
	network_close(&net);
	return 0;
}

/* Leases whose record is gone, network by network. */
static void gc_leases(struct gc *gc)
{
	struct brnet_error e = { 0 };
	int r = network_foreach(gc->ctx, gc_network_leases, gc, &e);

	if (r < 0)
		failed(gc, r, &e, "cannot read the networks directory");
}

static bool is_our_veth_name(const char *name)
{
	if (strncmp(name, "vb", 2) != 0 || strlen(name) != 10)
		return false;
	for (int i = 2; i < 10; i++)
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	return true;
}

struct links {
	struct link_info *v;
	size_t n, cap;
};

static int collect_link(const struct link_info *link, void *userdata)
{
	struct links *l = userdata;

	if (ARRAY_RESERVE(l->v, l->cap, l->n) < 0)
		return -ENOMEM;
	l->v[l->n++] = *link;
	return 0;
}

/* Host veths named like ours, on one of our bridges, that no record names. */
static void gc_veths(struct gc *gc)
{
	struct nl_sock *rtnl = gc->rtnl;
	struct links links = { 0 };
	struct brnet_error e = { 0 };
	int r;

	r = rtnl ? rtnl_link_dump(rtnl, collect_link, &links, &e) : gc->rtnl_error;
	if (r < 0) {
		failed(gc, r, &e, "cannot list links");
		free(links.v);
		return;
	}
	for (size_t i = 0; i < links.n; i++)
		for (size_t k = 0; k < gc->n_nets; k++)
			if (strcmp(links.v[i].name, gc->nets[k].bridge) == 0)
				gc->nets[k].ifindex = links.v[i].ifindex;
	for (size_t i = 0; i < links.n; i++) {
		const struct link_info *link = &links.v[i];
		bool on_ours = false, owned = false;

		if (!is_our_veth_name(link->name) || strcmp(link->kind, "veth") != 0)
			continue;
		for (size_t k = 0; k < gc->n_nets; k++)
			on_ours |= link->master > 0 && gc->nets[k].ifindex == link->master;
		if (!on_ours)
			continue;
		/* The list of records was read before: look again, a setup may have begun. */
		for (size_t k = 0; k < gc->n && !owned; k++)
			owned = strcmp(gc->list[k]->host_veth, link->name) == 0;
		if (!owned) {
			brnet_attachment **now = NULL;
			size_t n_now = 0;

			if (brnet_list(gc->ctx, &now, &n_now, NULL) < 0)
				continue;
			for (size_t k = 0; k < n_now && !owned; k++)
				owned = strcmp(now[k]->host_veth, link->name) == 0;
			brnet_attachment_list_free(now, n_now);
		}
		if (owned)
			continue;
		action(gc, "delete host veth %s: no attachment owns it", link->name);
		if (gc->dry_run)
			continue;
		/* By the index seen above: a teardown and a new setup of the attachment may
		 * have come since, and the new link has the same name but another index. */
		r = rtnl_link_del(rtnl, link->ifindex, link->name, &e);
		if (r < 0 && r != -ENODEV)
			failed(gc, r, &e, "cannot delete a host veth");
	}
	free(links.v);
}

struct elem_owner {
	char owner[128];
	struct inaddr target;
};

struct owners {
	struct gc *gc;
	struct elem_owner *v;
	size_t n, cap;
};

static int collect_owner(const char *owner, const struct inaddr *target, void *userdata)
{
	struct owners *o = userdata;

	for (size_t i = 0; i < o->n; i++)
		if (strcmp(o->v[i].owner, owner) == 0)
			return 0;
	if (ARRAY_RESERVE(o->v, o->cap, o->n) < 0)
		return -ENOMEM;
	snprintf(o->v[o->n].owner, sizeof(o->v[o->n].owner), "%s", owner);
	o->v[o->n++].target = *target;
	return 0;
}

/*
 * An element's owner ("id/ifname") that names an attachment no record holds, held as such: the
 * owner's attachment lock is taken (without waiting) and the record looked for again under it.
 * Without the lock, a teardown and a new setup of the same attachment could both fall between
 * the listing of the elements and their removal, and the new setup's elements would go.
 * Returns the lock's descriptor, or -ENOENT when the owner is not an orphan (or is busy).
 */
struct orphan {
	char id[RECORD_NAME_MAX];
	const char *ifname;
	int fd;
};

static int lock_orphan(struct gc *gc, const char *owner, struct orphan *o)
{
	char *slash;

	snprintf(o->id, sizeof(o->id), "%s", owner);
	slash = strchr(o->id, '/');
	if (!slash)
		return -ENOENT;
	*slash = '\0';
	o->ifname = slash + 1;
	if (config_check_id(o->id, NULL) < 0 ||
	    config_check_ifname(o->ifname, "ifname", NULL) < 0 ||
	    owned_by_record(gc, o->id, o->ifname))
		return -ENOENT;
	o->fd = record_lock(gc->ctx->attachments_dirfd, o->id, o->ifname, false);
	if (o->fd < 0)
		return -ENOENT; /* busy: a setup or teardown is at work on it */
	if (owned_by_record(gc, o->id, o->ifname)) {
		closep(&o->fd);
		return -ENOENT;
	}
	return o->fd;
}

static void unlock_orphan(struct gc *gc, struct orphan *o)
{
	closep(&o->fd);
}

/* Map elements whose owner has no record and whose target is in one of our subnets. */
static void gc_elements(struct gc *gc)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL;
	struct owners o = { .gc = gc };
	struct brnet_error e = { 0 };
	int r;

	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r >= 0)
		r = nft_publish_owners(nft, collect_owner, &o, &e);
	if (r < 0) {
		failed(gc, r, &e, "cannot list published ports");
		free(o.v);
		return;
	}
	for (size_t i = 0; i < o.n; i++) {
		struct orphan orphan = { .fd = -EBADF };
		bool ours = false;

		for (size_t k = 0; k < gc->n_nets; k++)
			ours |= inprefix_contains(&gc->nets[k].subnet, &o.v[i].target);
		if (!ours || lock_orphan(gc, o.v[i].owner, &orphan) < 0)
			continue;
		action(gc, "remove published ports of %s: no attachment owns them", o.v[i].owner);
		r = gc->dry_run ? 0 : nft_publish_remove_owned(nft, o.v[i].owner, &e);
		if (r < 0)
			failed(gc, r, &e, "cannot remove published ports");
		unlock_orphan(gc, &orphan);
	}
	free(o.v);
}

struct owner_names {
	char (*v)[RECORD_NAME_MAX];
	size_t n, cap;
};

/* nft_elems_owners() already gives each owner once. */
static int collect_owner_name(const char *owner, void *userdata)
{
	struct owner_names *o = userdata;

	if (ARRAY_RESERVE(o->v, o->cap, o->n) < 0)
		return -ENOMEM;
	snprintf(o->v[o->n++], RECORD_NAME_MAX, "%s", owner);
	return 0;
}

/* Elements of our owned sets (anti-spoofing, egress) that no record owns. */
static void gc_owned(struct gc *gc, const char *what,
		     int (*owners)(struct nl_sock *, int (*)(const char *, void *), void *,
				   struct brnet_error *),
		     int (*remove)(struct nl_sock *, const char *, struct brnet_error *))
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL;
	struct owner_names o = { 0 };
	struct brnet_error e = { 0 };
	int r;

	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r >= 0)
		r = owners(nft, collect_owner_name, &o, &e);
	if (r < 0) {
		failed(gc, r, &e, "cannot list owned set elements");
		free(o.v);
		return;
	}
	for (size_t i = 0; i < o.n; i++) {
		struct orphan orphan = { .fd = -EBADF };

		if (lock_orphan(gc, o.v[i], &orphan) < 0)
			continue;
		action(gc, "remove %s elements of %s: no attachment owns them", what, o.v[i]);
		r = gc->dry_run ? 0 : remove(nft, o.v[i], &e);
		if (r < 0)
			failed(gc, r, &e, "cannot remove owned set elements");
		unlock_orphan(gc, &orphan);
	}
	free(o.v);
}

static void list_removed(const char *chain, void *userdata)
{
	action(userdata, "remove egress allowlist %s: no container uses it", chain);
}

/* Allowlists no container uses: the last container takes its list away, but a kill may leave
 * one. After the owned elements above, so a list whose last user was an orphan goes too. */
static void gc_lists(struct gc *gc)
{
	_cleanup_(nl_sock_freep) struct nl_sock *nft = NULL;
	struct brnet_error e = { 0 };
	int r;

	r = nl_sock_open(NETLINK_NETFILTER, -1, &nft);
	if (r >= 0)
		r = nft_egress_lists_gc(nft, gc->dry_run, list_removed, gc, &e);
	if (r < 0)
		failed(gc, r, &e, "cannot remove unused egress allowlists");
}

int brnet_gc(brnet_ctx *ctx, bool dry_run, brnet_action_fn fn, void *userdata,
	     struct brnet_error *err)
{
	struct gc *gc;
	int r;

	if (!ctx)
		return -EINVAL;
	gc = calloc(1, sizeof(*gc));
	if (!gc)
		return -ENOMEM;
	*gc = (struct gc){
		.ctx = ctx, .dry_run = dry_run, .fn = fn, .userdata = userdata, .err = err
	};
	r = brnet_list(ctx, &gc->list, &gc->n, err);
	if (r < 0) {
		free(gc);
		return r;
	}
	gc->rtnl_error = nl_sock_open(NETLINK_ROUTE, -1, &gc->rtnl);
	gc_attachments(gc);
	/* Records may have gone above; leases, veths and elements are judged against the
	 * files, which are the truth at each moment. */
	brnet_attachment_list_free(gc->list, gc->n);
	gc->list = NULL;
	gc->n = 0;
	r = brnet_list(ctx, &gc->list, &gc->n, err);
	if (r >= 0) {
		gc_attachment_files(gc);
		gc_leases(gc);
		gc_veths(gc);
		gc_elements(gc);
		gc_owned(gc, "anti-spoofing", nft_guard_owners, nft_guard_remove_owned);
		gc_owned(gc, "egress policy", nft_egress_owners, nft_egress_remove_owned);
		gc_lists(gc);
	}
	brnet_attachment_list_free(gc->list, gc->n);
	r = r < 0 ? r : gc->first_error < 0 ? gc->first_error : gc->actions;
	nl_sock_free(gc->rtnl);
	free(gc->nets);
	free(gc);
	return r;
}
