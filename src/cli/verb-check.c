/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* brnet check: does the kernel hold everything the record says it should? */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>

#include "cli/cli.h"
#include "shared/macro.h"

DEFINE_POINTER_CLEANUP(brnet_ctx, brnet_ctx_free)

static void help(void)
{
	printf("Usage: brnet check --id ID [--ifname NAME] [--json]\n"
	       "       brnet check --all [--json]\n\n"
	       "Verify against the kernel that every object of an attachment exists as recorded:\n"
	       "host veth on its bridge and up, the interface in the namespace with its address\n"
	       "and default route, the lease, and the firewall rules. Exit 0 when all is there,\n"
	       "1 with a \"problem:\" line for each object missing or not as recorded. Warns\n"
	       "(on stderr, without failing) of other tables that drop the networks' forwarded\n"
	       "packets by default, as Docker's FORWARD chain does (through nf_tables or\n"
	       "iptables-legacy) unless DOCKER-USER accepts the bridge, and of networks whose\n"
	       "containers' MTU is more than the host's route out now takes (after joining\n"
	       "a VPN).\n\n"
	       "  --id ID            attachment id\n"
	       "  --ifname NAME      interface name inside the namespace (default eth0)\n"
	       "  --all              every recorded attachment: \"ID/IFNAME: ok\", or a\n"
	       "                     \"problem: ID/IFNAME: ...\" line for each problem; exit 1\n"
	       "                     when any has one (for a health check of the host)\n"
	       "  --json             print {\"id\", \"ifname\", \"ok\", \"problems\": [...],\n"
	       "                     \"warnings\": [...]}; with --all, {\"ok\", \"attachments\":\n"
	       "                     [{\"id\", \"ifname\", \"ok\", \"problems\"}...], "
	       "\"warnings\"}\n"
	       "  --state-dir DIR    state directory (default $BRNET_STATE_DIR or /run/brnet)\n"
	       "  -h, --help         show this help\n");
}

static void print_warning(const char *warning, void *userdata)
{
	json_t *arr = userdata;

	if (arr)
		json_array_append_new(arr, json_string(warning));
	else
		fprintf(stderr, "warning: %s\n", warning);
}

/* Where a problem goes: into arr (--json), or a line, naming the attachment (--all) when a is
 * set. */
struct problems {
	const brnet_attachment *a;
	json_t *arr;
};

static void print_problem(const char *problem, void *userdata)
{
	struct problems *p = userdata;

	if (p->arr)
		json_array_append_new(p->arr, json_string(problem));
	else if (p->a)
		printf("problem: %s/%s: %s\n", brnet_attachment_id(p->a),
		       brnet_attachment_ifname(p->a), problem);
	else
		printf("problem: %s\n", problem);
}

/* After problems, in text: which verb mends what (once, on stderr, so scripts reading the
 * problem lines see only those). */
static void print_repair_hint(void)
{
	fflush(stdout);
	fprintf(stderr, "hint: 'brnet restore' puts back what brnet's tables and bridges lack "
			"(brnet-restore.service does so as it happens); 'brnet gc' removes what a "
			"container that is gone left behind\n");
}

/* --all: each recorded attachment, then the host's warnings once. */
static int check_all(brnet_ctx *ctx, bool json)
{
	_cleanup_(json_decrefp) json_t *attachments = json ? json_array() : NULL;
	_cleanup_(json_decrefp) json_t *warnings = json ? json_array() : NULL;
	struct brnet_error err = { 0 };
	brnet_attachment **list = NULL;
	size_t n = 0;
	bool ok = true;
	int r;

	if (json && (!attachments || !warnings))
		return cli_fail("check attachments", -ENOMEM, NULL);
	r = brnet_list(ctx, &list, &n, &err);
	if (r < 0)
		return cli_fail("list attachments", r, &err);
	for (size_t i = 0; i < n && r >= 0; i++) {
		const char *id = brnet_attachment_id(list[i]),
			   *ifname = brnet_attachment_ifname(list[i]);
		struct problems p = { .a = list[i], .arr = json ? json_array() : NULL };

		r = brnet_check(ctx, id, ifname, print_problem, &p, &err);
		if (r == -ENOENT) /* torn down meanwhile */
			r = 0;
		else if (r >= 0) {
			ok &= r == 0;
			if (json)
				json_array_append_new(attachments,
						      json_pack("{s:s, s:s, s:b, s:o}", "id", id,
								"ifname", ifname, "ok", r == 0,
								"problems", p.arr));
			else if (r == 0)
				printf("%s/%s: ok\n", id, ifname);
			p.arr = NULL;
		}
		json_decref(p.arr);
	}
	brnet_attachment_list_free(list, n);
	if (r >= 0)
		r = brnet_check_host(ctx, print_warning, warnings, &err);
	if (r < 0)
		return cli_fail("check attachments", r, &err);
	if (json) {
		json_t *out = json_pack("{s:b, s:O, s:O}", "ok", ok, "attachments", attachments,
					"warnings", warnings);

		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	} else if (!ok) {
		print_repair_hint();
	}
	return ok ? 0 : 1;
}

int verb_check(const struct cli_global *g0, int argc, char **argv)
{
	_cleanup_(brnet_ctx_freep) brnet_ctx *ctx = NULL;
	struct brnet_error err = { 0 };
	struct cli_global g = *g0;
	struct cli_opts o;
	struct problems p = { 0 };
	json_t *warnings = NULL;
	int r;

	r = cli_parse_simple("check", CLI_TAKES_ID | CLI_TAKES_JSON | CLI_TAKES_ALL, help, argc,
			     argv, &g, &o);
	if (r != CLI_PROCEED)
		return r;
	r = cli_ctx(&g, &ctx);
	if (r != 0)
		return r;
	if (o.all)
		return check_all(ctx, o.json);
	if (o.json) {
		p.arr = json_array();
		warnings = json_array();
	}
	r = brnet_check(ctx, o.id, o.ifname, print_problem, &p, &err);
	if (r >= 0) {
		int w = brnet_check_host(ctx, print_warning, warnings, &err);

		if (w < 0)
			r = w;
	}
	if (r < 0) {
		json_decref(p.arr);
		json_decref(warnings);
		if (r == -ENOENT && !o.ifname_given)
			cli_append_ifname_hint(ctx, o.id, &err);
		return cli_fail("check attachment", r, &err);
	}
	if (o.json) {
		json_t *out = json_pack("{s:s, s:s, s:b, s:o, s:o}", "id", o.id, "ifname", o.ifname,
					"ok", r == 0, "problems", p.arr, "warnings", warnings);

		json_dumpf(out, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(out);
	} else if (r == 0) {
		printf("%s/%s: ok\n", o.id, o.ifname);
	} else {
		print_repair_hint();
	}
	return r == 0 ? 0 : 1;
}
