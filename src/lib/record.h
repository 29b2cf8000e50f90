/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The attachment record: what was created for one (id, ifname), its state, and the journal of
 * steps begun. Written before each step, so a process killed at any instant leaves on disk
 * everything a later command needs to finish or undo the work.
 */
#pragma once

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "brnet.h"
#include "lib/config/egress.h"
#include "lib/config/publish.h"
#include "shared/inaddr.h"

enum attach_state {
	ATTACH_UNCONFIGURED,
	ATTACH_CONFIGURING,
	ATTACH_ACTIVE,
	ATTACH_CLEANED,
	_ATTACH_STATE_MAX,
};

/* Steps of setup, in order; the journal lists the ones begun. */
enum attach_step {
	STEP_LEASE,
	STEP_PUBLISH, /* map elements of the published ports */
	STEP_GUARD, /* anti-spoofing elements: the port, its MAC, its address */
	STEP_EGRESS, /* the egress policy's elements */
	STEP_VETH,
	STEP_CONTAINER, /* address, lo, default route inside the namespace */
	STEP_SOURCE_ROUTE, /* a rule in the namespace, for a second network (srcroute.h) */
	/* Not of setup: a `brnet policy` whose record holds the new policy, until the kernel's
	 * elements are replaced too (gc and restore finish what a kill left). */
	STEP_POLICY,
	_STEP_MAX,
};

#define RECORD_NAME_MAX (BRNET_ID_MAX + IFNAMSIZ + 8)

struct brnet_attachment {
	char id[BRNET_ID_MAX + 1];
	char ifname[IFNAMSIZ];
	char bridge[IFNAMSIZ];
	char host_veth[IFNAMSIZ];
	char mac[18];
	struct inprefix subnet;
	struct inaddr address;
	struct inaddr gateway;
	unsigned mtu;
	char *netns; /* owned: attachment_done() frees it; at most PATH_MAX - 1 bytes */
	pid_t pid;
	uint64_t pid_start;
	enum attach_state state;
	unsigned journal; /* bit per enum attach_step begun */
	struct publish publish[PUBLISH_SPEC_MAX];
	unsigned n_publish;
	bool hairpin; /* on every port, not only for publishers */
	struct egress_policy egress;
	char origin[BRNET_ORIGIN_MAX + 1];
	/* The policy's allowed destinations live beside the record, in "<id>@<ifname>.<sha256 of
	 * the list>.allow", one CIDR a line, written once per list rather than at every save:
	 * which one is on disk (as last written or read), and, after record_parse() alone, that
	 * egress.allow is still to be read from it (record_load() does). */
	uint8_t allow_file[SHA256_DIGEST_SIZE];
	bool has_allow_file, allow_pending;

	/* What this process's setup learned from the kernel, not recorded: "" and 0 otherwise. */
	char host_mac[18], bridge_mac[18];
	unsigned host_mtu, bridge_mtu;
	bool network_made; /* this setup made its network */

	/* Text forms, for the getters. */
	char subnet_str[PREFIX_STRLEN];
	char address_str[PREFIX_STRLEN];
	char gateway_str[INADDR_STRLEN];
	/* One for each of publish[], owned (NULL without ports): a plain attachment stays within
	 * a page, and a list of thousands of them small. */
	char (*publish_str)[PUBLISH_STRLEN];
	unsigned n_publish_str;
};

const char *attach_state_to_string(enum attach_state s);
enum attach_state attach_state_from_string(const char *s);
const char *attach_step_to_string(enum attach_step s);
/* The one place that decides which state changes are allowed: -EINVAL with a message if not. */
int attach_state_transition(struct brnet_attachment *a, enum attach_state to,
			    struct brnet_error *err);

/* "vb" + 8 hex digits of a hash of (id, ifname): stable, PID-free, fits IFNAMSIZ. */
void attach_host_veth_name(const char *id, const char *ifname, char ret[static IFNAMSIZ]);
/* The name the attachment's set elements carry as their comment: "<id>/<ifname>". */
const char *record_owner(const struct brnet_attachment *a, char ret[static RECORD_NAME_MAX]);
/* The inverse: the id and ifname of an owner; -EINVAL for one no attachment could have (no
 * '/', an empty part, an id past BRNET_ID_MAX, an ifname past IFNAMSIZ). Pure. */
int record_owner_split(const char *owner, char id[static BRNET_ID_MAX + 1],
		       char ifname[static IFNAMSIZ]);
/* "brnet <id>/<ifname>": the mark (IFLA_IFALIAS) on a's host veth. Host veth names are 32 bits
 * of a hash, so two attachments may share one: a link of that name with another mark is not
 * a's to delete. */
#define RECORD_ALIAS_MAX (RECORD_NAME_MAX + 8)
const char *record_host_alias(const struct brnet_attachment *a, char ret[static RECORD_ALIAS_MAX]);
/* The inverse: the id and ifname of a mark; -EINVAL for an alias that is not one (or that no
 * attachment could have: an id past BRNET_ID_MAX, an ifname past IFNAMSIZ). Pure. */
int record_host_alias_split(const char *alias, char id[static BRNET_ID_MAX + 1],
			    char ifname[static IFNAMSIZ]);
/* Whether link_alias (a link's IFLA_IFALIAS, "" for none: an older brnet's) allows a to take
 * the link as its own. */
bool record_host_alias_ours(const struct brnet_attachment *a, const char *link_alias);
/* File name of the record: "<id>@<ifname>.json"; neither part may contain '@' or '/'. */
void record_file_name(const char *id, const char *ifname, char ret[static RECORD_NAME_MAX]);

/* The attachments' locks: one file, a byte each, at the FNV-1a hash of "<id>@<ifname>" shifted
 * right by two. A lock file per attachment cost a file created and removed per operation. */
#define RECORD_LOCK_FILE "lock"
/* An older brnet's lock of one attachment: "<id>@<ifname>.lock", left behind by a kill. */
#define RECORD_LEGACY_LOCK_SUFFIX ".lock"
/* Takes the attachment's lock, held by setup and teardown for their whole run so that gc never
 * touches an attachment that an operation is working on. With wait false, -EBUSY when it is
 * held. Returns the fd: closing it releases the lock. */
int record_lock(int dirfd, const char *id, const char *ifname, bool wait);
/* For one holder of many attachments' locks (restore): the lock file, opened; closing it
 * releases every lock taken on it. */
int record_locks_open(int dirfd);
/* The attachment's lock on fd from record_locks_open(), without waiting: 0, or -EBUSY when an
 * operation holds it. (A second descriptor of the same process conflicts like anyone's.) */
int record_lock_on(int fd, const char *id, const char *ifname);

/* Frees what a owns (its egress policy, namespace path and ports' text), not a itself. */
void attachment_done(struct brnet_attachment *a);

/* Fills the text forms after the binary fields change: 0, or -ENOMEM. */
int record_update_strings(struct brnet_attachment *a);

/* dirfd is the attachments directory. create: fail with -EEXIST if a record exists. The
 * allowlist file is written first when the policy's list is not the one on disk, and the one
 * it replaces removed after the record: a kill at any point leaves a record whose file exists
 * (and at most an unnamed file, which gc removes). */
int record_save(int dirfd, struct brnet_attachment *a, bool create, struct brnet_error *err);
/* The record and its allowlist file, checked against the digest the record names. */
int record_load(int dirfd, const char *id, const char *ifname, struct brnet_attachment *ret,
		struct brnet_error *err);
/* The record, then its allowlist file (a's, if it has one). */
int record_remove(int dirfd, const struct brnet_attachment *a);
/* Whether the record of (id, ifname) names the allowlist file name (as listed in the
 * directory): 1 it does, 0 no record or another list, -EINVAL not an allowlist file's name,
 * else -errno. Take the attachment's lock first. */
int record_allow_file_named(int dirfd, const char *name);
/* The parts of an allowlist file's name: 0, or -EINVAL when it is not one. */
int record_allow_file_split(const char *name, char id[static BRNET_ID_MAX + 1],
			    char ifname[static IFNAMSIZ],
			    uint8_t digest[static SHA256_DIGEST_SIZE]);
/* "<id>@<ifname>.<64 hex>.allow" */
#define RECORD_ALLOW_NAME_MAX (RECORD_NAME_MAX + 2 * SHA256_DIGEST_SIZE + 8)
void record_allow_file_name(const char *id, const char *ifname,
			    const uint8_t digest[static SHA256_DIGEST_SIZE],
			    char ret[static RECORD_ALLOW_NAME_MAX]);
/* ".<64 hex>.allow": a list's file, which each attachment's file with that list links. */
#define RECORD_SHARED_ALLOW_NAME_MAX (2 * SHA256_DIGEST_SIZE + 8)
void record_shared_allow_file_name(const uint8_t digest[static SHA256_DIGEST_SIZE],
				   char ret[static RECORD_SHARED_ALLOW_NAME_MAX]);
/* Whether the list's file dirfd/name is there and no attachment's file links it. */
bool record_shared_allow_file_unlinked(int dirfd, const char *name);
/* Removes a list's file once no attachment's file links it. A setup linking it meanwhile keeps
 * its own link; the next one writes the list's file again. */
void record_shared_allow_file_drop(int dirfd, const uint8_t digest[static SHA256_DIGEST_SIZE]);
/* The digest in such a name: 0, or -EINVAL when it is not one. */
int record_shared_allow_file_split(const char *name, uint8_t digest[static SHA256_DIGEST_SIZE]);
/* The fuzzable half of record_load. */
int record_parse(const char *text, size_t len, struct brnet_attachment *ret, char *why,
		 size_t why_size);
/* The record's text (the caller frees it), or NULL with errno set: ENOMEM, or EILSEQ for a
 * string that is not UTF-8 (which JSON cannot carry). */
char *record_format(const struct brnet_attachment *a);
