/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Attachment records on disk (JSON, strict) and the attachment state machine. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/record.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/hash.h"
#include "shared/hex.h"
#include "shared/jsonw.h"
#include "shared/macro.h"
#include "shared/sha256.h"

/* A record is a few hundred bytes: a policy's destinations are in its allowlist file. An older
 * brnet's record held them inline, about 1.5 MB for EGRESS_ALLOW_MAX of them. */
#define RECORD_FILE_MAX ((size_t)4 * 1024 * 1024)

/* Every setup allocates and clears one, and `brnet ls` holds one per attachment: what may be
 * long (the namespace's path, the ports' text) is owned outside it. */
_Static_assert(sizeof(struct brnet_attachment) <= 4096, "an attachment fits in a page");

static const char *const state_names[_ATTACH_STATE_MAX] = {
	[ATTACH_UNCONFIGURED] = "unconfigured",
	[ATTACH_CONFIGURING] = "configuring",
	[ATTACH_ACTIVE] = "active",
	[ATTACH_CLEANED] = "cleaned",
};

static const char *const step_names[_STEP_MAX] = {
	[STEP_LEASE] = "lease",
	[STEP_PUBLISH] = "publish",
	[STEP_GUARD] = "guard",
	[STEP_EGRESS] = "egress",
	[STEP_VETH] = "veth",
	[STEP_CONTAINER] = "container",
	[STEP_SOURCE_ROUTE] = "source-route",
	[STEP_POLICY] = "policy",
};

const char *attach_state_to_string(enum attach_state s)
{
	return s < _ATTACH_STATE_MAX ? state_names[s] : "invalid";
}

enum attach_state attach_state_from_string(const char *s)
{
	for (unsigned i = 0; i < _ATTACH_STATE_MAX; i++)
		if (strcmp(s, state_names[i]) == 0)
			return (enum attach_state)i;
	return _ATTACH_STATE_MAX;
}

const char *attach_step_to_string(enum attach_step s)
{
	return s < _STEP_MAX ? step_names[s] : "invalid";
}

int attach_state_transition(struct brnet_attachment *a, enum attach_state to,
			    struct brnet_error *err)
{
	/* Unconfigured -> Configuring -> Active -> Cleaned; a failed or killed setup goes from
	 * Configuring straight to Cleaned. Nothing ever leaves Cleaned. */
	static const bool allowed[_ATTACH_STATE_MAX][_ATTACH_STATE_MAX] = {
		[ATTACH_UNCONFIGURED][ATTACH_CONFIGURING] = true,
		[ATTACH_CONFIGURING][ATTACH_ACTIVE] = true,
		[ATTACH_CONFIGURING][ATTACH_CLEANED] = true,
		[ATTACH_ACTIVE][ATTACH_CLEANED] = true,
	};

	if (a->state >= _ATTACH_STATE_MAX || to >= _ATTACH_STATE_MAX || !allowed[a->state][to])
		return brnet_err(err, EINVAL, "attachment %s/%s: invalid state change %s -> %s",
				 a->id, a->ifname, attach_state_to_string(a->state),
				 attach_state_to_string(to));
	a->state = to;
	return 0;
}

void attach_host_veth_name(const char *id, const char *ifname, char ret[static IFNAMSIZ])
{
	/* FNV-1a 64 over "id\0ifname\0", folded to 32 bits. */
	uint64_t h = fnv1a64(fnv1a64(FNV1A64_INIT, id, strlen(id) + 1), ifname, strlen(ifname) + 1);

	snprintf(ret, IFNAMSIZ, "vb%08x", (unsigned)(h ^ (h >> 32)));
}

void record_file_name(const char *id, const char *ifname, char ret[static RECORD_NAME_MAX])
{
	snprintf(ret, RECORD_NAME_MAX, "%s@%s.json", id, ifname);
}

int record_update_strings(struct brnet_attachment *a)
{
	struct inprefix p = { .addr = a->address, .len = a->subnet.len };

	if (a->n_publish > a->n_publish_str) {
		void *v = reallocarray(a->publish_str, a->n_publish, sizeof(*a->publish_str));

		if (!v)
			return -ENOMEM;
		a->publish_str = v;
		a->n_publish_str = a->n_publish;
	}

	inprefix_to_string(&a->subnet, a->subnet_str);
	if (a->address.family)
		inprefix_to_string(&p, a->address_str);
	else
		a->address_str[0] = '\0';
	inaddr_to_string(&a->gateway, a->gateway_str);
	for (unsigned i = 0; i < a->n_publish; i++)
		publish_to_string(&a->publish[i], a->publish_str[i]);
	return 0;
}

void record_allow_file_name(const char *id, const char *ifname,
			    const uint8_t digest[static SHA256_DIGEST_SIZE],
			    char ret[static RECORD_ALLOW_NAME_MAX])
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	hex_encode(digest, SHA256_DIGEST_SIZE, hex);
	snprintf(ret, RECORD_ALLOW_NAME_MAX, "%s@%s.%s.allow", id, ifname, hex);
}

/* The policy, its allowed destinations named by their digest ("allowlist"): they are in the
 * allowlist file. */
static void egress_format(struct jsonw *w, const struct brnet_attachment *a)
{
	const struct egress_policy *p = &a->egress;
	char buf[2 * SHA256_DIGEST_SIZE + 1];

	jsonw_object_begin(w);
	jsonw_key(w, "tcp");
	jsonw_array_begin(w);
	for (unsigned i = 0; i < p->n_tcp; i++)
		jsonw_int(w, p->tcp[i]);
	jsonw_array_end(w);
	jsonw_key(w, "udp");
	jsonw_array_begin(w);
	for (unsigned i = 0; i < p->n_udp; i++)
		jsonw_int(w, p->udp[i]);
	jsonw_array_end(w);
	jsonw_key(w, "dns");
	jsonw_array_begin(w);
	for (unsigned i = 0; i < p->n_dns; i++)
		jsonw_string(w, inaddr_to_string(&p->dns[i], buf));
	jsonw_array_end(w);
	jsonw_key(w, "dns_allowed");
	jsonw_bool(w, !p->no_dns);
	jsonw_key(w, "log");
	jsonw_bool(w, p->log);
	if (p->reject) { /* only then: a record without it is read as before */
		jsonw_key(w, "reject");
		jsonw_bool(w, true);
	}
	if (p->n_allow > 0 || a->allow_pending) {
		hex_encode(p->n_allow > 0 ? p->digest : a->allow_file, SHA256_DIGEST_SIZE, buf);
		jsonw_key(w, "allowlist");
		jsonw_string(w, buf);
	}
	jsonw_object_end(w);
}

static int egress_parse_into(json_t *o, struct brnet_attachment *a);

/* The inverse of egress_format(), and the inline "allow" array of older records; -EBADMSG for
 * anything it would not write, and then the policy owns nothing. */
static int egress_parse(json_t *o, struct brnet_attachment *a)
{
	int r = egress_parse_into(o, a);

	if (r < 0)
		egress_policy_done(&a->egress);
	else if (!a->allow_pending)
		egress_policy_normalize(&a->egress);
	return r;
}

static int egress_parse_into(json_t *o, struct brnet_attachment *a)
{
	struct egress_policy *p = &a->egress;
	json_t *allow = NULL, *tcp, *udp, *dns, *v;
	const char *allowlist = NULL;
	int dns_allowed, log = 0, reject = 0;
	size_t i;

	*p = (struct egress_policy){ .on = true };
	if (json_unpack(o, "{s?o, s?s, s:o, s:o, s:o, s:b, s?b, s?b}", "allow", &allow, "allowlist",
			&allowlist, "tcp", &tcp, "udp", &udp, "dns", &dns, "dns_allowed",
			&dns_allowed, "log", &log, "reject", &reject) < 0 ||
	    (allow && (!json_is_array(allow) || allowlist)) || !json_is_array(tcp) ||
	    !json_is_array(udp) || !json_is_array(dns) || json_array_size(dns) > EGRESS_DNS_MAX)
		return -EBADMSG;
	p->no_dns = !dns_allowed;
	p->log = log;
	p->reject = reject;
	if (allowlist) {
		if (hex_decode(allowlist, a->allow_file, SHA256_DIGEST_SIZE) < 0)
			return -EBADMSG;
		a->has_allow_file = a->allow_pending = true;
	}
	json_array_foreach (allow, i, v)
		if (!json_is_string(v) || egress_add_allow(p, json_string_value(v), NULL) < 0)
			return -EBADMSG;
	json_array_foreach (tcp, i, v)
		if (!json_is_integer(v) ||
		    egress_add_port(p, IPPROTO_TCP, (unsigned)json_integer_value(v), NULL) < 0)
			return -EBADMSG;
	json_array_foreach (udp, i, v)
		if (!json_is_integer(v) ||
		    egress_add_port(p, IPPROTO_UDP, (unsigned)json_integer_value(v), NULL) < 0)
			return -EBADMSG;
	json_array_foreach (dns, i, v)
		if (!json_is_string(v) ||
		    inaddr_parse_v4(json_string_value(v), &p->dns[p->n_dns++]) < 0)
			return -EBADMSG;
	return 0;
}

void attachment_done(struct brnet_attachment *a)
{
	egress_policy_done(&a->egress);
	free(a->netns);
	a->netns = NULL;
	free(a->publish_str);
	a->publish_str = NULL;
	a->n_publish_str = 0;
}

const char *record_owner(const struct brnet_attachment *a, char ret[static RECORD_NAME_MAX])
{
	snprintf(ret, RECORD_NAME_MAX, "%s/%s", a->id, a->ifname);
	return ret;
}

#define RECORD_ALIAS_MARK "brnet "

const char *record_host_alias(const struct brnet_attachment *a, char ret[static RECORD_ALIAS_MAX])
{
	snprintf(ret, RECORD_ALIAS_MAX, RECORD_ALIAS_MARK "%s/%s", a->id, a->ifname);
	return ret;
}

int record_owner_split(const char *owner, char id[static BRNET_ID_MAX + 1],
		       char ifname[static IFNAMSIZ])
{
	const char *slash = strrchr(owner, '/');
	size_t id_len;

	if (!slash)
		return -EINVAL;
	id_len = (size_t)(slash - owner);
	if (id_len == 0 || id_len > BRNET_ID_MAX || !slash[1] || strlen(slash + 1) >= IFNAMSIZ)
		return -EINVAL;
	memcpy(id, owner, id_len);
	id[id_len] = '\0';
	strcpy(ifname, slash + 1);
	return 0;
}

int record_host_alias_split(const char *alias, char id[static BRNET_ID_MAX + 1],
			    char ifname[static IFNAMSIZ])
{
	if (strncmp(alias, RECORD_ALIAS_MARK, strlen(RECORD_ALIAS_MARK)) != 0)
		return -EINVAL;
	return record_owner_split(alias + strlen(RECORD_ALIAS_MARK), id, ifname);
}

bool record_host_alias_ours(const struct brnet_attachment *a, const char *link_alias)
{
	char mine[RECORD_ALIAS_MAX];

	return !link_alias[0] || strcmp(link_alias, record_host_alias(a, mine)) == 0;
}

static void field_string(struct jsonw *w, const char *key, const char *value)
{
	jsonw_key(w, key);
	jsonw_string(w, value);
}

static void field_int(struct jsonw *w, const char *key, int64_t value)
{
	jsonw_key(w, key);
	jsonw_int(w, value);
}

char *record_format(const struct brnet_attachment *a)
{
	struct jsonw w = JSONW_INIT;
	char addr[INADDR_STRLEN], buf[PUBLISH_STRLEN];
	char *text;
	int r;

	jsonw_object_begin(&w);
	field_int(&w, "version", 1);
	field_string(&w, "id", a->id);
	field_string(&w, "ifname", a->ifname);
	field_string(&w, "bridge", a->bridge);
	field_string(&w, "subnet", a->subnet_str);
	field_string(&w, "address", a->address.family ? inaddr_to_string(&a->address, addr) : "");
	field_string(&w, "gateway", a->gateway_str);
	field_string(&w, "host_veth", a->host_veth);
	field_string(&w, "mac", a->mac);
	field_int(&w, "mtu", a->mtu);
	field_string(&w, "netns", a->netns);
	field_int(&w, "pid", a->pid);
	field_int(&w, "pid_start", (int64_t)a->pid_start);
	field_string(&w, "state", attach_state_to_string(a->state));
	jsonw_key(&w, "journal");
	jsonw_array_begin(&w);
	for (unsigned i = 0; i < _STEP_MAX; i++)
		if (a->journal & (1u << i))
			jsonw_string(&w, step_names[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "publish");
	jsonw_array_begin(&w);
	for (unsigned i = 0; i < a->n_publish; i++)
		jsonw_string(&w, publish_to_string(&a->publish[i], buf));
	jsonw_array_end(&w);
	jsonw_key(&w, "hairpin");
	jsonw_bool(&w, a->hairpin);
	field_string(&w, "origin", a->origin);
	if (a->egress.on) {
		jsonw_key(&w, "egress");
		egress_format(&w, a);
	}
	jsonw_object_end(&w);
	text = jsonw_finish(&w, &r);
	if (!text)
		errno = -r;
	return text;
}

void record_shared_allow_file_name(const uint8_t digest[static SHA256_DIGEST_SIZE],
				   char ret[static RECORD_SHARED_ALLOW_NAME_MAX])
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	hex_encode(digest, SHA256_DIGEST_SIZE, hex);
	snprintf(ret, RECORD_SHARED_ALLOW_NAME_MAX, ".%s.allow", hex);
}

int record_shared_allow_file_split(const char *name, uint8_t digest[static SHA256_DIGEST_SIZE])
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	if (strlen(name) != RECORD_SHARED_ALLOW_NAME_MAX - 1 || name[0] != '.' ||
	    strcmp(name + 1 + 2 * SHA256_DIGEST_SIZE, ".allow") != 0)
		return -EINVAL;
	memcpy(hex, name + 1, 2 * SHA256_DIGEST_SIZE);
	hex[2 * SHA256_DIGEST_SIZE] = '\0';
	return hex_decode(hex, digest, SHA256_DIGEST_SIZE) < 0 ? -EINVAL : 0;
}

bool record_shared_allow_file_unlinked(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_nlink == 1;
}

void record_shared_allow_file_drop(int dirfd, const uint8_t digest[static SHA256_DIGEST_SIZE])
{
	char shared[RECORD_SHARED_ALLOW_NAME_MAX];

	record_shared_allow_file_name(digest, shared);
	if (record_shared_allow_file_unlinked(dirfd, shared))
		(void)unlinkat(dirfd, shared, 0);
}

/* The allowed destinations, one CIDR a line, written without printf a buffer at a time: the
 * whole text of 10,000 (150 KB) in memory was 37 fresh pages, half a millisecond of page
 * faults on the VMs we measure on, for a file that is written and closed. */
static int allow_file_write(int fd, const void *userdata)
{
	const struct egress_policy *p = userdata;
	char buf[16384], *q = buf;
	int r;

	for (size_t i = 0; i < p->n_allow; i++) {
		if ((size_t)(buf + sizeof(buf) - q) < PREFIX_STRLEN + 1) {
			r = write_all(fd, buf, (size_t)(q - buf));
			if (r < 0)
				return r;
			q = buf;
		}
		q = egress_prefix_put(q, &p->allow[i]);
		*q++ = '\n';
	}
	return write_all(fd, buf, (size_t)(q - buf));
}

/* a's allowlist file. A list is written once, as ".<digest>.allow", and each attachment's file
 * is a hard link to it: the second container with a list of 10,000 makes one link instead of
 * formatting and writing 150 KB (0.5 ms). Where no link can be made, the attachment's own file
 * is written, as before. */
static int allow_file_save(int dirfd, const struct brnet_attachment *a, struct brnet_error *err)
{
	const struct egress_policy *p = &a->egress;
	char name[RECORD_ALLOW_NAME_MAX], shared[RECORD_SHARED_ALLOW_NAME_MAX];
	int r;

	record_allow_file_name(a->id, a->ifname, p->digest, name);
	record_shared_allow_file_name(p->digest, shared);
	r = linkat(dirfd, shared, dirfd, name, 0) < 0 ? -errno : 0;
	if (r == -ENOENT) {
		r = write_file_atomic_with(dirfd, shared, allow_file_write, p);
		if (r >= 0)
			r = linkat(dirfd, shared, dirfd, name, 0) < 0 ? -errno : 0;
	}
	if (r >= 0)
		return 0;
	/* A file of that name (a kill's leftover that no record names), a file system
	 * without links, or the shared file removed just now by the last other holder. */
	r = write_file_atomic_with(dirfd, name, allow_file_write, p);
	if (r < 0)
		return brnet_err(err, r, "cannot write %s: %s", name, strerror(-r));
	return 0;
}

struct allow_file_read {
	struct egress_policy *policy;
	char bad[33]; /* the start of a line that is not a CIDR */
};

/* One line of an allowlist file: a CIDR, as allow_file_write() wrote it. */
static int allow_file_line(char *line, size_t len, unsigned lineno, void *userdata)
{
	struct allow_file_read *f = userdata;

	(void)lineno;
	if (len == 0 || egress_add_allow(f->policy, line, NULL) >= 0)
		return 0;
	snprintf(f->bad, sizeof(f->bad), "%s", line);
	return -EBADMSG;
}

/* a's allowed destinations from the file its record names, which must hash to its name. */
static int allow_file_load(int dirfd, struct brnet_attachment *a, struct brnet_error *err)
{
	_cleanup_(closep) int fd = -EBADF;
	char name[RECORD_ALLOW_NAME_MAX], buf[4096]; /* a line of 50 was a read() a line */
	struct allow_file_read f = { &a->egress, "" };
	unsigned lineno;
	int r;

	record_allow_file_name(a->id, a->ifname, a->allow_file, name);
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return brnet_err(err, errno, "cannot read %s: %s", name, strerror(errno));
	r = read_lines(fd, buf, sizeof(buf), allow_file_line, &f, &lineno);
	if (r == -EBADMSG)
		return brnet_err(err, EBADMSG, "corrupt %s: bad line %u \"%s\"", name, lineno,
				 f.bad);
	if (r == -ENOBUFS)
		return brnet_err(err, EBADMSG, "corrupt %s: line %u is too long", name, lineno);
	if (r == -EILSEQ)
		return brnet_err(err, EBADMSG, "corrupt %s: line %u holds a NUL byte", name,
				 lineno);
	if (r < 0)
		return brnet_err(err, -r, "cannot read %s: %s", name, strerror(-r));
	egress_policy_normalize(&a->egress);
	if (memcmp(a->egress.digest, a->allow_file, sizeof(a->allow_file)) != 0)
		return brnet_err(err, EBADMSG, "corrupt %s: its content does not match its name",
				 name);
	a->allow_pending = false;
	return 0;
}

int record_save(int dirfd, struct brnet_attachment *a, bool create, struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL;
	char name[RECORD_NAME_MAX], old[RECORD_ALLOW_NAME_MAX] = "";
	bool list = a->egress.on && a->egress.n_allow > 0;
	bool on_disk = list && a->has_allow_file &&
		       memcmp(a->allow_file, a->egress.digest, sizeof(a->allow_file)) == 0;
	int r;

	if (a->allow_pending)
		return -EINVAL; /* parsed, not loaded: the list would be lost */
	record_file_name(a->id, a->ifname, name);
	/* Not the allowlist file of a record that exists (the attachment lock keeps it so until
	 * the record below is created); without one, link() below says EEXIST itself. */
	if (create && list && !on_disk && faccessat(dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return brnet_err(err, EEXIST, "attachment %s/%s already exists", a->id, a->ifname);
	if (list && !on_disk) {
		r = allow_file_save(dirfd, a, err);
		if (r < 0)
			return r;
	}
	if (a->has_allow_file && !on_disk)
		record_allow_file_name(a->id, a->ifname, a->allow_file, old);
	text = record_format(a);
	if (!text)
		return brnet_err(err, errno, "cannot write record %s: %s", name, strerror(errno));
	if (!create) {
		r = write_file_atomic(dirfd, name, text, strlen(text));
		if (r < 0)
			return brnet_err(err, r, "cannot write record %s: %s", name, strerror(-r));
	} else {
		r = write_file_exclusive(dirfd, name, text, strlen(text));
		if (r == -EEXIST)
			return brnet_err(err, EEXIST, "attachment %s/%s already exists", a->id,
					 a->ifname);
		if (r < 0)
			return brnet_err(err, r, "cannot write record %s: %s", name, strerror(-r));
	}
	/* The record names the new list: the old file can go (a kill here leaves it to gc). */
	if (old[0]) {
		(void)unlinkat(dirfd, old, 0);
		record_shared_allow_file_drop(dirfd, a->allow_file);
	}
	a->has_allow_file = list;
	if (list)
		memcpy(a->allow_file, a->egress.digest, sizeof(a->allow_file));
	return 0;
}

int record_parse(const char *text, size_t len, struct brnet_attachment *ret, char *why,
		 size_t why_size)
{
	_cleanup_(json_decrefp) json_t *root = NULL;
	struct brnet_attachment a = { 0 };
	const char *id, *ifname, *bridge, *subnet, *address, *gateway, *host_veth, *mac, *netns,
		*state, *origin = "";
	int hairpin = 0;
	json_int_t version, mtu, pid, pid_start;
	json_t *journal, *step, *publish, *egress = NULL;
	json_error_t jerr;
	struct brnet_error e;
	size_t i;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(why, why_size, "line %d, column %d: %s", jerr.line, jerr.column,
			 jerr.text);
		return -EBADMSG;
	}
	if (json_unpack_ex(root, &jerr, JSON_STRICT,
			   "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:I, s:s, "
			   "s:o, s:o, s?b, s?s, s?o}",
			   "version", &version, "id", &id, "ifname", &ifname, "bridge", &bridge,
			   "subnet", &subnet, "address", &address, "gateway", &gateway, "host_veth",
			   &host_veth, "mac", &mac, "mtu", &mtu, "netns", &netns, "pid", &pid,
			   "pid_start", &pid_start, "state", &state, "journal", &journal, "publish",
			   &publish, "hairpin", &hairpin, "origin", &origin, "egress",
			   &egress) < 0) {
		snprintf(why, why_size, "%s", jerr.text);
		return -EBADMSG;
	}
	if (version != 1) {
		snprintf(why, why_size, "unknown record version %lld", (long long)version);
		return -EBADMSG;
	}
	if (config_check_id(id, &e) < 0 || config_check_ifname(ifname, "ifname", &e) < 0 ||
	    config_check_ifname(bridge, "bridge", &e) < 0 ||
	    config_check_ifname(host_veth, "host_veth", &e) < 0 ||
	    config_parse_subnet(subnet, &a.subnet, &e) < 0) {
		snprintf(why, why_size, "%s", e.msg);
		return -EBADMSG;
	}
	if ((*address && inaddr_parse_v4(address, &a.address) < 0) ||
	    inaddr_parse_v4(gateway, &a.gateway) < 0 || strlen(mac) >= sizeof(a.mac) ||
	    strlen(netns) >= PATH_MAX || strlen(origin) >= sizeof(a.origin) || mtu < 0 ||
	    mtu > BRNET_MTU_MAX || pid < 0 || pid > INT32_MAX || pid_start < 0) {
		snprintf(why, why_size, "a field is out of range");
		return -EBADMSG;
	}
	a.state = attach_state_from_string(state);
	if (a.state == _ATTACH_STATE_MAX) {
		snprintf(why, why_size, "unknown state \"%.32s\"", state);
		return -EBADMSG;
	}
	if (!json_is_array(journal)) {
		snprintf(why, why_size, "journal is not an array");
		return -EBADMSG;
	}
	json_array_foreach (journal, i, step) {
		unsigned s;

		for (s = 0; s < _STEP_MAX; s++)
			if (json_is_string(step) &&
			    strcmp(json_string_value(step), step_names[s]) == 0)
				break;
		if (s == _STEP_MAX) {
			snprintf(why, why_size, "unknown journal step");
			return -EBADMSG;
		}
		a.journal |= 1u << s;
	}
	if (!json_is_array(publish) || json_array_size(publish) > PUBLISH_SPEC_MAX) {
		snprintf(why, why_size, "publish is not an array of at most %d specs",
			 PUBLISH_SPEC_MAX);
		return -EBADMSG;
	}
	json_array_foreach (publish, i, step) {
		if (!json_is_string(step) ||
		    publish_parse(json_string_value(step), &a.publish[a.n_publish++], &e) < 0) {
			snprintf(why, why_size, "bad published port");
			return -EBADMSG;
		}
	}
	if (egress && egress_parse(egress, &a) < 0) {
		snprintf(why, why_size, "bad egress policy");
		return -EBADMSG;
	}
	strcpy(a.id, id);
	strcpy(a.ifname, ifname);
	strcpy(a.bridge, bridge);
	strcpy(a.host_veth, host_veth);
	strcpy(a.mac, mac);
	strcpy(a.origin, origin);
	a.hairpin = hairpin;
	a.mtu = (unsigned)mtu;
	a.pid = (pid_t)pid;
	a.pid_start = (uint64_t)pid_start;
	a.netns = strdup(netns);
	if (!a.netns || record_update_strings(&a) < 0) {
		attachment_done(&a);
		snprintf(why, why_size, "out of memory");
		return -ENOMEM;
	}
	*ret = a;
	return 0;
}

int record_load(int dirfd, const char *id, const char *ifname, struct brnet_attachment *ret,
		struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL;
	char name[RECORD_NAME_MAX], why[256];
	size_t len;
	int r;

	record_file_name(id, ifname, name);
	r = read_file_bounded(dirfd, name, RECORD_FILE_MAX, &text, &len);
	if (r == -ENOENT)
		return r;
	if (r < 0)
		return brnet_err(err, r, "cannot read record %s: %s", name, strerror(-r));
	r = record_parse(text, len, ret, why, sizeof(why));
	if (r == -ENOMEM)
		return brnet_err(err, ENOMEM, "cannot read record %s: %s", name, why);
	if (r < 0)
		return brnet_err(err, r, "corrupt record %s: %s", name, why);
	if (strcmp(ret->id, id) != 0 || strcmp(ret->ifname, ifname) != 0)
		r = brnet_err(err, EBADMSG, "corrupt record %s: names another attachment", name);
	else if (ret->allow_pending)
		r = allow_file_load(dirfd, ret, err);
	if (r < 0)
		attachment_done(ret);
	return r;
}

int record_remove(int dirfd, const struct brnet_attachment *a)
{
	char name[RECORD_ALLOW_NAME_MAX];

	record_file_name(a->id, a->ifname, name);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	if (!a->has_allow_file)
		return 0;
	record_allow_file_name(a->id, a->ifname, a->allow_file, name);
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -errno;
	record_shared_allow_file_drop(dirfd, a->allow_file);
	return 0;
}

int record_allow_file_split(const char *name, char id[static BRNET_ID_MAX + 1],
			    char ifname[static IFNAMSIZ], uint8_t digest[static SHA256_DIGEST_SIZE])
{
	/* "<id>@<ifname>" and the name a list's own file has: ".<64 hex>.allow". */
	size_t len = strlen(name), tail = RECORD_SHARED_ALLOW_NAME_MAX - 1;
	const char *at = strchr(name, '@');

	if (name[0] == '.' || len <= tail || !at || at > name + len - tail ||
	    (size_t)(at - name) > BRNET_ID_MAX ||
	    (size_t)(name + len - tail - at - 1) >= IFNAMSIZ ||
	    record_shared_allow_file_split(name + len - tail, digest) < 0)
		return -EINVAL;
	memcpy(id, name, (size_t)(at - name));
	id[at - name] = '\0';
	memcpy(ifname, at + 1, (size_t)(name + len - tail - at - 1));
	ifname[name + len - tail - at - 1] = '\0';
	if (config_check_id(id, NULL) < 0 || config_check_ifname(ifname, "ifname", NULL) < 0)
		return -EINVAL;
	return 0;
}

int record_allow_file_named(int dirfd, const char *name)
{
	_cleanup_(attachment_done) struct brnet_attachment a = { 0 };
	_cleanup_(freep) char *text = NULL;
	char id[BRNET_ID_MAX + 1], ifname[IFNAMSIZ], json[RECORD_NAME_MAX], why[256];
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t len;
	int r;

	r = record_allow_file_split(name, id, ifname, digest);
	if (r < 0)
		return r;
	record_file_name(id, ifname, json);
	r = read_file_bounded(dirfd, json, RECORD_FILE_MAX, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	/* A record that does not parse keeps its files: gc does not judge what it cannot read. */
	if (record_parse(text, len, &a, why, sizeof(why)) < 0)
		return 1;
	return a.has_allow_file && memcmp(a.allow_file, digest, sizeof(digest)) == 0;
}

static uint64_t record_lock_key(const char *id, const char *ifname)
{
	char name[RECORD_NAME_MAX];

	snprintf(name, sizeof(name), "%s@%s", id, ifname);
	return fnv1a64(FNV1A64_INIT, name, strlen(name));
}

int record_lock(int dirfd, const char *id, const char *ifname, bool wait)
{
	return lock_file_byte(dirfd, RECORD_LOCK_FILE, record_lock_key(id, ifname), wait);
}

int record_locks_open(int dirfd)
{
	int fd = openat(dirfd, RECORD_LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	return fd < 0 ? -errno : fd;
}

int record_lock_on(int fd, const char *id, const char *ifname)
{
	return lock_fd_byte(fd, record_lock_key(id, ifname), false);
}
