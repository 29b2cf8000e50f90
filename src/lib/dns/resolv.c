/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resolv.conf for containers: validation, rendering, sealing and a symlink-safe write. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/config/config.h"
#include "lib/dns/resolv.h"
#include "shared/error.h"
#include "shared/fileio.h"
#include "shared/macro.h"

int dns_add_server(struct dns_config *d, const char *addr, struct brnet_error *err)
{
	struct inaddr a;

	if (!addr || inaddr_parse_v4(addr, &a) < 0)
		return brnet_err(err, EINVAL,
				 "invalid DNS server \"%.64s\": expected an IPv4 address A.B.C.D",
				 addr ? addr : "");
	if (d->n_servers == DNS_SERVERS_MAX)
		return brnet_err(err, EINVAL,
				 "invalid DNS server %s: at most %d servers (the resolver reads no "
				 "more)",
				 addr, DNS_SERVERS_MAX);
	d->servers[d->n_servers++] = a;
	return 0;
}

static bool valid_domain(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > DNS_NAME_MAX || s[0] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      (c == '-' && label > 0)))
			return false;
		if (++label > 63)
			return false;
	}
	return s[len - 1] != '-';
}

int dns_add_search(struct dns_config *d, const char *domain, struct brnet_error *err)
{
	if (!domain || !valid_domain(domain))
		return brnet_err(err, EINVAL,
				 "invalid DNS search domain \"%.64s\": expected a domain name like "
				 "example.com",
				 domain ? domain : "");
	if (d->n_search == DNS_SEARCH_MAX)
		return brnet_err(err, EINVAL, "invalid DNS search domain %s: at most %d", domain,
				 DNS_SEARCH_MAX);
	snprintf(d->search[d->n_search++], DNS_NAME_MAX + 1, "%s", domain);
	return 0;
}

int dns_add_option(struct dns_config *d, const char *option, struct brnet_error *err)
{
	size_t len = option ? strlen(option) : 0, name = option ? strcspn(option, ":") : 0;
	bool ok = len > 0 && len <= DNS_OPTION_MAX && name > 0;

	for (size_t i = 0; ok && i < len; i++) {
		char c = option[i];

		if (i < name)
			ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
		else if (i > name)
			ok = c >= '0' && c <= '9';
	}
	if (ok && name < len)
		ok = len > name + 1;
	if (!ok)
		return brnet_err(
			err, EINVAL,
			"invalid DNS option \"%.64s\": expected NAME or NAME:N, like ndots:2",
			option ? option : "");
	if (d->n_options == DNS_OPTIONS_MAX)
		return brnet_err(err, EINVAL, "invalid DNS option %s: at most %d", option,
				 DNS_OPTIONS_MAX);
	snprintf(d->options[d->n_options++], DNS_OPTION_MAX + 1, "%s", option);
	return 0;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next blank-separated word of a line at *p (ending at end), as a string in buf; false at
 * the line's end or a comment (# or ;). A word longer than buf is cut, and then fails
 * validation. */
static bool next_word(const char **p, const char *end, char *buf, size_t size)
{
	size_t n = 0;

	while (*p < end && is_blank(**p))
		(*p)++;
	if (*p == end || **p == '#' || **p == ';')
		return false;
	while (*p < end && !is_blank(**p)) {
		if (n + 1 < size)
			buf[n++] = **p;
		(*p)++;
	}
	buf[n] = '\0';
	return true;
}

unsigned dns_parse(const char *text, size_t len, struct dns_config *d)
{
	const char *line = text, *end = text + len;
	struct dns_config file = { 0 };
	unsigned added = 0;

	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line)), *p = line;
		char key[16], word[DNS_NAME_MAX + 2];

		if (!eol)
			eol = end;
		if (next_word(&p, eol, key, sizeof(key))) {
			if (strcmp(key, "nameserver") == 0 &&
			    next_word(&p, eol, word, sizeof(word))) {
				struct inaddr a;

				/* 127/8 is the host's own loopback, not the container's. */
				if (inaddr_parse_v4(word, &a) >= 0 &&
				    inaddr_v4_host(&a) >> 24 != 127 &&
				    d->n_servers < DNS_SERVERS_MAX) {
					d->servers[d->n_servers++] = a;
					added++;
				}
			} else if (strcmp(key, "search") == 0 || strcmp(key, "domain") == 0) {
				/* The last of these lines is the one a resolver uses. */
				file.n_search = 0;
				while (next_word(&p, eol, word, sizeof(word)))
					(void)dns_add_search(&file, word, NULL);
			} else if (strcmp(key, "options") == 0) {
				while (next_word(&p, eol, word, sizeof(word)))
					(void)dns_add_option(&file, word, NULL);
			}
		}
		line = eol + 1;
	}
	if (d->n_search == 0) {
		memcpy(d->search, file.search, sizeof(file.search));
		d->n_search = file.n_search;
	}
	if (d->n_options == 0) {
		memcpy(d->options, file.options, sizeof(file.options));
		d->n_options = file.n_options;
	}
	return added;
}

int dns_format(const struct dns_config *d, char *buf, size_t size)
{
	char addr[INADDR_STRLEN];
	size_t len = 0;
	int n;

#define APPEND(...)                                                                                \
	do {                                                                                       \
		n = snprintf(buf + len, size - len, __VA_ARGS__);                                  \
		if (n < 0 || (size_t)n >= size - len)                                              \
			return -ENOBUFS;                                                           \
		len += (size_t)n;                                                                  \
	} while (0)

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	APPEND("# written by brnet\n");
	for (unsigned i = 0; i < d->n_servers; i++)
		APPEND("nameserver %s\n", inaddr_to_string(&d->servers[i], addr));
	for (unsigned i = 0; i < d->n_search; i++)
		APPEND("%s%s%s", i ? " " : "search ", d->search[i],
		       i + 1 == d->n_search ? "\n" : "");
	for (unsigned i = 0; i < d->n_options; i++)
		APPEND("%s%s%s", i ? " " : "options ", d->options[i],
		       i + 1 == d->n_options ? "\n" : "");
#undef APPEND
	return (int)len;
}

int dns_write_rootfs(const char *rootfs, const char *text, size_t len, struct brnet_error *err)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	_cleanup_(closep) int root = -EBADF, etc = -EBADF, fd = -EBADF;
	char tmp[64];
	int r;

	root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return brnet_err(err, errno, "cannot open root filesystem %s: %s", rootfs,
				 strerror(errno));
	etc = (int)syscall(SYS_openat2, root, "etc", &how, sizeof(how));
	if (etc < 0)
		return brnet_err(err, errno, "cannot open %s/etc inside the root filesystem: %s",
				 rootfs, strerror(errno));
	/* A private name, written, then renamed over resolv.conf: whatever was there (a file, a
	 * symlink to anywhere) is replaced, and a reader never sees half a file. */
	snprintf(tmp, sizeof(tmp), ".resolv.conf.brnet-%ld", (long)getpid());
	fd = openat(etc, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return brnet_err(err, errno, "cannot write %s/etc/resolv.conf: %s", rootfs,
				 strerror(errno));
	r = write(fd, text, len) == (ssize_t)len ? 0 : (errno ? -errno : -EIO);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	if (r >= 0 && renameat(etc, tmp, etc, "resolv.conf") < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(etc, tmp, 0);
		return brnet_err(err, r, "cannot write %s/etc/resolv.conf: %s", rootfs,
				 strerror(-r));
	}
	return 0;
}

/* The public face: the text of a configuration's DNS settings, where a caller wants it. */

int brnet_config_add_dns_from_file(brnet_config *cfg, const char *path, struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL;
	_cleanup_(closep) int fd = -EBADF;
	struct dns_config d;
	size_t len;
	unsigned n;
	int r;

	if (!cfg || !path)
		return -EINVAL;
	/* Followed if a symlink: the host's /etc/resolv.conf often is one (systemd-resolved's). */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	r = fd < 0 ? -errno : read_fd_bounded(fd, (size_t)64 * 1024, &text, &len);
	if (r < 0)
		return brnet_err(err, r, "cannot read %s: %s", path, strerror(-r));
	/* Applied to a copy: a file with no usable resolver changes nothing. */
	d = cfg->dns;
	n = dns_parse(text, len, &d);
	if (n > 0)
		cfg->dns = d;
	return (int)n;
}

int brnet_resolv_conf(const brnet_config *cfg, char **ret, struct brnet_error *err)
{
	char buf[4096];
	int n;

	if (!cfg || !ret)
		return -EINVAL;
	*ret = NULL;
	if (cfg->dns.n_servers == 0)
		return 0;
	n = dns_format(&cfg->dns, buf, sizeof(buf));
	if (n < 0)
		return brnet_err(err, -n, "resolv.conf does not fit in %zu bytes", sizeof(buf));
	*ret = strdup(buf);
	return *ret ? n : -ENOMEM;
}

int brnet_resolv_write_rootfs(const brnet_config *cfg, const char *rootfs, struct brnet_error *err)
{
	_cleanup_(freep) char *text = NULL;
	int n;

	if (!rootfs || rootfs[0] != '/')
		return brnet_err(err, EINVAL,
				 "invalid root filesystem \"%.200s\": must be absolute",
				 rootfs ? rootfs : "");
	n = brnet_resolv_conf(cfg, &text, err);
	if (n <= 0)
		return n;
	return dns_write_rootfs(rootfs, text, (size_t)n, err);
}
