/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet_list() and brnet_network_list(): what the state directory records. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/ctx.h"
#include "lib/list.h"
#include "lib/network.h"
#include "lib/record.h"
#include "shared/error.h"
#include "shared/macro.h"

void brnet_attachment_list_free(brnet_attachment **list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		brnet_attachment_free(list[i]);
	free(list);
}

static int cmp_attachment(const void *x, const void *y)
{
	const struct brnet_attachment *a = *(const struct brnet_attachment *const *)x;
	const struct brnet_attachment *b = *(const struct brnet_attachment *const *)y;
	int c = strcmp(a->id, b->id);

	return c ? c : strcmp(a->ifname, b->ifname);
}

int brnet_list(brnet_ctx *ctx, brnet_attachment ***ret, size_t *ret_n, struct brnet_error *err)
{
	if (!ctx || !ret || !ret_n)
		return -EINVAL;
	return list_locked(ctx, -EBADF, NULL, ret, ret_n, err);
}

int list_locked(brnet_ctx *ctx, int locks, unsigned *busy, brnet_attachment ***ret, size_t *ret_n,
		struct brnet_error *err)
{
	struct brnet_attachment **list = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	int fd, r = 0;
	DIR *d;

	fd = openat(ctx->attachments_dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return brnet_err(err, errno, "cannot read %s/attachments: %s", ctx->state_dir,
				 strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		char id[BRNET_ID_MAX + 1], *at, *dot;
		size_t len = strlen(de->d_name);
		struct brnet_attachment *a;

		/* "<id>@<ifname>.json"; temporary files start with '.' */
		if (de->d_name[0] == '.' || len < 8 || len > BRNET_ID_MAX + 21 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		memcpy(id, de->d_name, len > BRNET_ID_MAX ? BRNET_ID_MAX : len);
		id[len > BRNET_ID_MAX ? BRNET_ID_MAX : len] = '\0';
		at = strchr(de->d_name, '@');
		if (!at || (size_t)(at - de->d_name) > BRNET_ID_MAX)
			continue;
		id[at - de->d_name] = '\0';
		dot = strrchr(at, '.');
		*dot = '\0';
		if (locks >= 0) {
			r = record_lock_on(locks, id, at + 1);
			if (r == -EBUSY) {
				(*busy)++;
				*dot = '.';
				r = 0;
				continue;
			}
			if (r < 0) {
				r = brnet_err(err, r, "cannot lock attachment %s/%s: %s", id,
					      at + 1, strerror(-r));
				break;
			}
		}
		/* An array of pointers: its element's size is a pointer's, as meant. */
		if (ARRAY_RESERVE(list, cap, n) < 0) { // NOLINT(bugprone-sizeof-expression)
			r = -ENOMEM;
			break;
		}
		a = calloc(1, sizeof(*a));
		if (!a) {
			r = -ENOMEM;
			break;
		}
		r = record_load(ctx->attachments_dirfd, id, at + 1, a, err);
		*dot = '.';
		if (r == -ENOENT) { /* removed meanwhile */
			brnet_attachment_free(a);
			r = 0;
			continue;
		}
		if (r < 0) {
			brnet_attachment_free(a);
			break;
		}
		list[n++] = a;
	}
	closedir(d);
	if (r < 0) {
		brnet_attachment_list_free(list, n);
		return r;
	}
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_attachment); // NOLINT(bugprone-sizeof-expression)
	*ret = list;
	*ret_n = n;
	return 0;
}

struct brnet_network {
	char bridge[IFNAMSIZ];
	char subnet[PREFIX_STRLEN];
	char gateway[INADDR_STRLEN];
	int routed;
	bool masquerade;
	char no_masq[CONFIG_NO_MASQ_MAX][PREFIX_STRLEN];
	unsigned n_no_masq;
	unsigned attachments;
	unsigned mtu;
};

void brnet_network_list_free(brnet_network **list, size_t n)
{
	if (!list)
		return;
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

static int cmp_network(const void *x, const void *y)
{
	return strcmp((*(const struct brnet_network *const *)x)->bridge,
		      (*(const struct brnet_network *const *)y)->bridge);
}

struct network_rows {
	brnet_ctx *ctx;
	struct brnet_network **v;
	size_t n, cap;
	struct brnet_error *err;
};

/* One row per recorded network (a directory without network.json is one being created, or a
 * refused first setup's, and is no network yet). */
static int network_row(const char *bridge, void *userdata)
{
	struct network_rows *rows = userdata;
	struct brnet_network *net;
	struct network_file f;
	struct inaddr gw;
	int r = network_read(rows->ctx, bridge, &f, rows->err);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* An array of pointers: its element's size is a pointer's, as meant. */
	if (ARRAY_RESERVE(rows->v, rows->cap, rows->n) < 0) // NOLINT(bugprone-sizeof-expression)
		return -ENOMEM;
	net = calloc(1, sizeof(*net));
	if (!net)
		return -ENOMEM;
	/* network_foreach() gives only names that can be a bridge's */
	snprintf(net->bridge, sizeof(net->bridge), "%.*s", IFNAMSIZ - 1, bridge);
	inprefix_to_string(&f.subnet, net->subnet);
	gw = inprefix_v4_first_host(&f.subnet);
	inaddr_to_string(&gw, net->gateway);
	net->routed = f.routed;
	net->masquerade = f.masquerade;
	for (unsigned i = 0; i < f.n_no_masq; i++)
		inprefix_to_string(&f.no_masq[i], net->no_masq[i]);
	net->n_no_masq = f.n_no_masq;
	net->mtu = f.mtu;
	rows->v[rows->n++] = net;
	return 0;
}

static int read_networks(brnet_ctx *ctx, struct brnet_network ***ret, size_t *ret_n,
			 struct brnet_error *err)
{
	struct network_rows rows = { .ctx = ctx, .err = err };
	int r = network_foreach(ctx, network_row, &rows, err);

	if (r < 0) {
		brnet_network_list_free(rows.v, rows.n);
		return r;
	}
	*ret = rows.v;
	*ret_n = rows.n;
	return 0;
}

int brnet_network_list(brnet_ctx *ctx, brnet_network ***ret, size_t *ret_n, struct brnet_error *err)
{
	struct brnet_attachment **att = NULL;
	struct brnet_network **list = NULL;
	size_t n = 0, n_att = 0;
	int r;

	if (!ctx || !ret || !ret_n)
		return -EINVAL;
	r = read_networks(ctx, &list, &n, err);
	if (r < 0)
		return r;
	r = brnet_list(ctx, &att, &n_att, err);
	if (r < 0) {
		brnet_network_list_free(list, n);
		return r;
	}
	for (size_t i = 0; i < n_att; i++)
		for (size_t k = 0; k < n; k++)
			if (strcmp(att[i]->bridge, list[k]->bridge) == 0)
				list[k]->attachments++;
	brnet_attachment_list_free(att, n_att);
	if (n > 1)
		qsort(list, n, sizeof(*list), cmp_network); // NOLINT(bugprone-sizeof-expression)
	*ret = list;
	*ret_n = n;
	return 0;
}

const char *brnet_network_bridge(const brnet_network *n)
{
	return n ? n->bridge : NULL;
}

const char *brnet_network_subnet(const brnet_network *n)
{
	return n ? n->subnet : NULL;
}

const char *brnet_network_gateway(const brnet_network *n)
{
	return n ? n->gateway : NULL;
}

int brnet_network_routed(const brnet_network *n)
{
	return n ? n->routed : -1;
}

bool brnet_network_masquerade(const brnet_network *n)
{
	return n && n->masquerade;
}

const char *brnet_network_masquerade_exception(const brnet_network *n, unsigned i)
{
	return n && i < n->n_no_masq ? n->no_masq[i] : NULL;
}

unsigned brnet_network_attachments(const brnet_network *n)
{
	return n ? n->attachments : 0;
}

unsigned brnet_network_mtu(const brnet_network *n)
{
	return n ? n->mtu : 0;
}
