/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * brnet-cni: the CNI 1.1 plugin. The runtime's request (environment and stdin config) is parsed
 * into plain structs by pure functions (env.c, conf.c, result.c) that the fuzzers and unit
 * tests drive; the verbs (add.c, del.c, check.c, maint.c) act through libbrnet.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "brnet.h"
#include "lib/config/publish.h"
#include "shared/macro.h"

/* Error codes of the spec (0-99), then ours (100 up). */
enum cni_code {
	CNI_ERR_VERSION = 1, /* incompatible CNI version */
	CNI_ERR_UNSUPPORTED = 2, /* unsupported field: names the key and the value */
	CNI_ERR_UNKNOWN_CONTAINER = 3,
	CNI_ERR_ENV = 4, /* invalid environment: names the variable */
	CNI_ERR_IO = 5,
	CNI_ERR_DECODE = 6, /* stdin is not valid JSON */
	CNI_ERR_CONFIG = 7, /* valid JSON, invalid network config */
	CNI_ERR_TRY_AGAIN = 11,
	CNI_ERR_NOT_AVAILABLE = 50,
	CNI_ERR_LIMITED = 51,
	CNI_ERR_FAILED = 100, /* the operation failed in the kernel or the state directory */
	CNI_ERR_IN_USE = 101, /* address or port already taken */
	CNI_ERR_EXISTS = 102, /* interface or attachment already exists */
	CNI_ERR_CHECK = 103, /* CHECK found objects missing or different */
	CNI_ERR_IPAM = 104, /* the delegated IPAM plugin failed without a usable error */
};

struct cni_error {
	int code;
	char msg[512];
	char details[1024];
};

/* Sets e and returns -1. details may be NULL. */
int cni_fail(struct cni_error *e, int code, const char *details, const char *fmt, ...)
	_printf_(4, 5);
/* Maps a library failure (-errno and its message) to a CNI error; returns -1. */
int cni_fail_brnet(struct cni_error *e, int r, const struct brnet_error *err);
/* The error object, in the request's version. */
json_t *cni_error_json(const struct cni_error *e, const char *version);

/* Versions: the ones we speak, newest last. */
extern const char *const cni_versions[];
extern const size_t cni_n_versions;
bool cni_version_supported(const char *v);
/* 0.3.x and 0.4.0 results carry "version" in each ip. */
bool cni_version_is_legacy(const char *v);
/* Orders "a.b.c" strings: <0, 0, >0. Malformed ones sort first. */
int cni_version_cmp(const char *a, const char *b);

enum cni_command { CNI_ADD, CNI_DEL, CNI_CHECK, CNI_STATUS, CNI_GC, CNI_VERSION };

struct cni_env {
	enum cni_command command;
	const char *containerid; /* NULL when unset */
	const char *netns;
	const char *ifname;
	const char *args;
	const char *path;
};

/* Reads CNI_* from a NULL-terminated environment; the pointers borrow from it. Code 4 naming
 * the variable when one is missing or malformed for the command. */
int cni_env_parse(char *const *envp, struct cni_env *ret, struct cni_error *e);

#define CNI_PORTS_MAX PUBLISH_SPEC_MAX

struct cni_conf {
	json_t *root; /* the whole config, owned */
	const char *version; /* points to version_buf: it outlives root, for the error object */
	char version_buf[32];
	const char *name;
	const char *type;
	const char *bridge;
	const char *state_dir; /* "stateDir": ours; NULL for the library's default */
	unsigned mtu;
	bool hairpin;
	bool routed; /* "allowRouted" (ours), default true: pods are reachable by their address */
	bool check_host_sockets; /* "checkHostSockets" (ours), default false: runtimes reserve */
	int masquerade; /* "ipMasq": -1 when absent (the network's; a new one masquerades) */
	json_t *no_masq; /* borrowed: "noMasqueradeTo" (ours), an array of strings, or NULL */
	const char *mac; /* runtimeConfig.mac, args.cni.mac, CNI_ARGS MAC or "mac" */
	char mac_buf[18];
	const char *ip; /* runtimeConfig.ips, args.cni.ips or CNI_ARGS IP: an address, no prefix */
	char ip_buf[16];
	/* IPAM: built in (ipam_type NULL or "brnet") or delegated to the plugin ipam_type. */
	const char *ipam_type;
	const char *subnet;
	const char *range_start, *range_end, *gateway;
	json_t *dns; /* borrowed, may be NULL */
	json_t *egress; /* borrowed: our "egress" key, type-checked; NULL when absent */
	json_t *prev_result; /* borrowed, may be NULL */
	json_t *valid_attachments; /* GC: borrowed, may be NULL */
	char ports[CNI_PORTS_MAX][PUBLISH_STRLEN]; /* runtimeConfig.portMappings as brnet specs */
	unsigned n_ports;
	char origin[BRNET_ORIGIN_MAX + 1]; /* "cni:<name>" */
};

/* Parses and validates the stdin config for a command. cni_args is $CNI_ARGS or NULL. On
 * failure: code 6 (not JSON; line and column), 7 (a bad value; the key and where it is), 2 (a
 * key that changes behaviour we do not implement), 1 (version). */
int cni_conf_parse(const char *text, size_t len, enum cni_command cmd, const char *cni_args,
		   struct cni_conf *ret, struct cni_error *e);
void cni_conf_done(struct cni_conf *c);

/* What an ADD produced, to be written as a result. */
struct cni_iface {
	char name[16];
	char mac[18];
	const char *sandbox; /* NULL for host interfaces */
	unsigned mtu; /* 0: unknown */
};

struct cni_add_result {
	struct cni_iface ifaces[3]; /* bridge, host veth, container */
	const char *address; /* "10.0.42.2/24" */
	const char *gateway;
	json_t *dns; /* borrowed, may be NULL */
};

/* The result in the requested version, extending prev (a prevResult, may be NULL). */
json_t *cni_result_build(const char *version, const struct cni_add_result *r, json_t *prev);

/* What we need of a result (a prevResult, or a delegated IPAM plugin's output). */
struct cni_ipam_result {
	char address[32]; /* the first IPv4 address, "10.88.0.5/16" */
	char gateway[16]; /* may be empty */
	json_t *dns; /* borrowed from the result, may be NULL */
};
int cni_result_parse_ipam(json_t *result, struct cni_ipam_result *ret, struct cni_error *e);

/* In prevResult: the interface named ifname in sandbox netns, and whether address (with prefix)
 * is among its ips. Returns 0, or -1 with code 103 naming what does not match. */
int cni_result_find(json_t *result, const char *ifname, const char *netns, const char *mac,
		    const char *address, struct cni_error *e);

/* Delegation to an IPAM plugin on CNI_PATH: same environment, same stdin. The result (ADD) is
 * returned in *ret (may be NULL); the plugin's stderr is ours. */
int cni_delegate(const char *type, const char *cni_path, const char *command,
		 const char *stdin_text, size_t stdin_len, json_t **ret, struct cni_error *e);

struct cni_request {
	struct cni_env env;
	struct cni_conf conf;
	const char *stdin_text;
	size_t stdin_len;
	brnet_ctx *ctx;
	json_t *result; /* what to print on success; NULL for none */
};

int cni_add(struct cni_request *req, struct cni_error *e);
int cni_del(struct cni_request *req, struct cni_error *e);
int cni_check(struct cni_request *req, struct cni_error *e);
int cni_status(struct cni_request *req, struct cni_error *e);
int cni_gc(struct cni_request *req, struct cni_error *e);
