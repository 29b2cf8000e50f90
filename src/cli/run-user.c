/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet run --user: the user CMD runs as. Resolved by the parent before anything changes (so a
 * bad name is refused with nothing set up), taken on by the child just before exec.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "shared/macro.h"

/* A uid or gid: decimal digits alone (anything else is a name, "1password" too), below
 * (uid_t)-1, which means "unchanged" to setresuid(). 0, -EINVAL for a name, -ERANGE. */
static int parse_id(const char *s, unsigned *ret)
{
	return cli_parse_uint(s, 0, UINT_MAX - 1, ret);
}

_printf_(3, 4) static int fail(struct brnet_error *err, int r, const char *fmt, ...)
{
	va_list ap;

	err->code = -r;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return r;
}

/*
 * Names are read from /etc/passwd and /etc/group with fgetpwent()/fgetgrent(), not through NSS
 * (getpwnam()): brnet is linked statically, where NSS would load the libraries of the glibc it
 * was built with at run time. Users only a directory service knows are given by number.
 */
#define PASSWD_FILE "/etc/passwd"
#define GROUP_FILE "/etc/group"

DEFINE_POINTER_CLEANUP(FILE, fclose)
#define streq(a, b) (strcmp((a), (b)) == 0)

struct passwd_entry {
	char *name;
	uid_t uid;
	gid_t gid;
};

static void passwd_entry_done(struct passwd_entry *e)
{
	free(e->name);
}

/* The entry with this name, or with this uid when name is NULL, copied: 0, -ENOENT, -errno. */
static int find_passwd(const char *name, uid_t uid, struct passwd_entry *ret)
{
	_cleanup_(fclosep) FILE *f = fopen(PASSWD_FILE, "re");
	struct passwd *pw;

	if (!f)
		return -errno;
	while ((pw = fgetpwent(f)))
		if (name ? streq(pw->pw_name, name) : pw->pw_uid == uid)
			break;
	if (!pw)
		return -ENOENT;
	ret->name = strdup(pw->pw_name);
	if (!ret->name)
		return -ENOMEM;
	ret->uid = pw->pw_uid;
	ret->gid = pw->pw_gid;
	return 0;
}

static int find_group(const char *name, gid_t *ret)
{
	_cleanup_(fclosep) FILE *f = fopen(GROUP_FILE, "re");
	struct group *gr;

	if (!f)
		return -errno;
	while ((gr = fgetgrent(f)))
		if (streq(gr->gr_name, name)) {
			*ret = gr->gr_gid;
			return 0;
		}
	return -ENOENT;
}

static bool has_member(char **members, const char *name)
{
	for (; members && *members; members++)
		if (streq(*members, name))
			return true;
	return false;
}

/* gid first, then every group that lists user as a member, as a login gives them. */
static int user_groups(const char *user, gid_t gid, gid_t **ret, size_t *ret_n)
{
	_cleanup_(fclosep) FILE *f = fopen(GROUP_FILE, "re");
	_cleanup_(freep) gid_t *v = malloc(sizeof(*v));
	struct group *gr;
	size_t n = 1;

	if (!f)
		return -errno;
	if (!v)
		return -ENOMEM;
	v[0] = gid;
	while ((gr = fgetgrent(f))) {
		gid_t *grown;

		if (gr->gr_gid == gid || !has_member(gr->gr_mem, user))
			continue;
		if (n >= NGROUPS_MAX)
			return -E2BIG;
		grown = reallocarray(v, n + 1, sizeof(*v));
		if (!grown)
			return -ENOMEM;
		v = grown;
		v[n++] = gr->gr_gid;
	}
	*ret = steal_pointer(&v);
	*ret_n = n;
	return 0;
}

static int lookup_group(const char *s, gid_t *ret, struct brnet_error *err)
{
	unsigned id;
	int r = parse_id(s, &id);

	if (r == 0) {
		*ret = id;
		return 0;
	}
	if (r != -EINVAL)
		return fail(err, -EINVAL, "--user: group id \"%s\" is out of range", s);
	r = find_group(s, ret);
	if (r == -ENOENT)
		return fail(err, -EINVAL, "--user: no group \"%s\" in " GROUP_FILE, s);
	if (r < 0)
		return fail(err, r, "--user: cannot read " GROUP_FILE ": %s", strerror(-r));
	return 0;
}

int run_user_parse(const char *spec, struct run_user *ret, struct brnet_error *err)
{
	_cleanup_(freep) char *user = strdup(spec);
	_cleanup_(passwd_entry_done) struct passwd_entry pw = { 0 };
	char *group;
	unsigned id = 0;
	int r, numeric;

	if (!user)
		return -ENOMEM;
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';
	if (!user[0] || (group && !group[0]))
		return fail(err, -EINVAL, "--user \"%s\": give USER or USER:GROUP", spec);

	numeric = parse_id(user, &id);
	if (numeric == -ERANGE)
		return fail(err, -EINVAL, "--user: user id \"%s\" is out of range", user);
	r = find_passwd(numeric == 0 ? NULL : user, id, &pw);
	if (r < 0 && r != -ENOENT)
		return fail(err, r, "--user: cannot read " PASSWD_FILE ": %s", strerror(-r));
	if (r == -ENOENT && numeric != 0)
		return fail(err, -EINVAL, "--user: no user \"%s\" in " PASSWD_FILE, user);
	if (r == -ENOENT && !group)
		return fail(err, -EINVAL,
			    "--user: no user has id %s in " PASSWD_FILE ", so its groups are not "
			    "known: give one (--user %s:GID)",
			    user, user);

	*ret = (struct run_user){ .set = true, .uid = pw.name ? pw.uid : id };
	if (group)
		/* That group and no other: what `setpriv --clear-groups` gives. */
		return lookup_group(group, &ret->gid, err);
	ret->gid = pw.gid;
	r = user_groups(pw.name, pw.gid, &ret->groups, &ret->n_groups);
	if (r < 0)
		return fail(err, r, "--user: cannot list the groups of \"%s\": %s", pw.name,
			    strerror(-r));
	return 0;
}

int run_user_become(const struct run_user *u)
{
	uid_t ruid, euid, suid;

	if (!u->set)
		return 0;
	/* Groups first: after setresuid() we could no longer change them. */
	if (setgroups(u->n_groups, u->groups) < 0 || setresgid(u->gid, u->gid, u->gid) < 0 ||
	    setresuid(u->uid, u->uid, u->uid) < 0)
		return -errno;
	/* No set-user-ID program (sudo, su) or file capability gives CMD back what it left. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (getresuid(&ruid, &euid, &suid) < 0 || ruid != u->uid || euid != u->uid ||
	    suid != u->uid)
		return -EPERM;
	return 0;
}

void run_user_done(struct run_user *u)
{
	free(u->groups);
	*u = (struct run_user){ 0 };
}
