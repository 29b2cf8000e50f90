/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CNI plugin's pure half: environment, config, versions, results. No kernel, no root. */
#include <stdio.h>

#include "cni/cni.h"
#include "test-common.h"

static int parse(const char *text, enum cni_command cmd, const char *cni_args, struct cni_conf *c,
		 struct cni_error *e)
{
	return cni_conf_parse(text, strlen(text), cmd, cni_args, c, e);
}

#define BASE "\"cniVersion\": \"1.0.0\", \"name\": \"net\", \"type\": \"brnet-cni\""

/* A config that must fail with code, and a message containing needle. */
static void expect_fail(const char *text, enum cni_command cmd, const char *cni_args, int code,
			const char *needle)
{
	struct cni_error e = { 0 };
	struct cni_conf c;

	if (parse(text, cmd, cni_args, &c, &e) == 0) {
		print_error("accepted: %s\n", text);
		cni_conf_done(&c);
		fail();
	}
	if (e.code != code || !strstr(e.msg, needle)) {
		print_error("%s\n-> code %d \"%s\", expected code %d with \"%s\"\n", text, e.code,
			    e.msg, code, needle);
		fail();
	}
	assert_null(c.root);
}

static void test_env(void **state)
{
	char *add[] = { "CNI_COMMAND=ADD",	  "CNI_CONTAINERID=abc",  "CNI_IFNAME=eth0",
			"CNI_NETNS=/run/netns/x", "CNI_ARGS=IP=10.0.0.2", NULL };
	char *del_no_netns[] = { "CNI_COMMAND=DEL", "CNI_CONTAINERID=abc", "CNI_IFNAME=eth0",
				 "CNI_NETNS=", NULL };
	char *gc[] = { "CNI_COMMAND=GC", NULL };
	static const struct {
		const char *env[5];
		const char *needle;
	} bad[] = {
		{ { NULL }, "CNI_COMMAND is not set" },
		{ { "CNI_COMMAND=add" }, "invalid CNI_COMMAND \"add\"" },
		{ { "CNI_COMMAND=ADD", "CNI_IFNAME=eth0", "CNI_NETNS=/x" }, "CNI_CONTAINERID" },
		{ { "CNI_COMMAND=DEL", "CNI_CONTAINERID=a b", "CNI_IFNAME=eth0" },
		  "CNI_CONTAINERID" },
		{ { "CNI_COMMAND=DEL", "CNI_CONTAINERID=a" }, "CNI_IFNAME is not set" },
		{ { "CNI_COMMAND=CHECK", "CNI_CONTAINERID=a", "CNI_IFNAME=eth0" }, "CNI_NETNS" },
		{ { "CNI_COMMAND=ADD", "CNI_CONTAINERID=a", "CNI_IFNAME=eth0", "CNI_NETNS=x" },
		  "must be an absolute path" },
		{ { "CNI_COMMAND=ADD", "CNI_CONTAINERID=a", "CNI_IFNAME=a/b", "CNI_NETNS=/x" },
		  "CNI_IFNAME" },
	};
	struct cni_error e = { 0 };
	struct cni_env env;

	assert_int_equal(cni_env_parse(add, &env, &e), 0);
	assert_int_equal(env.command, CNI_ADD);
	assert_string_equal(env.containerid, "abc");
	assert_string_equal(env.netns, "/run/netns/x");
	assert_string_equal(env.args, "IP=10.0.0.2");
	assert_int_equal(cni_env_parse(del_no_netns, &env, &e), 0);
	assert_null(env.netns);
	assert_int_equal(cni_env_parse(gc, &env, &e), 0);
	assert_int_equal(env.command, CNI_GC);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		e = (struct cni_error){ 0 };
		assert_int_equal(cni_env_parse((char *const *)bad[i].env, &env, &e), -1);
		assert_int_equal(e.code, CNI_ERR_ENV);
		if (!strstr(e.msg, bad[i].needle)) {
			print_error("case %zu: \"%s\" lacks \"%s\"\n", i, e.msg, bad[i].needle);
			fail();
		}
	}
}

static void test_versions(void **state)
{
	struct cni_error e = { 0 };
	struct cni_conf c;

	assert_true(cni_version_cmp("0.4.0", "1.0.0") < 0);
	assert_true(cni_version_cmp("1.10.0", "1.2.0") > 0);
	assert_int_equal(cni_version_cmp("1.1.0", "1.1.0"), 0);
	assert_true(cni_version_cmp("junk", "0.0.1") < 0);
	/* Three numbers and nothing else: no sign, space, fourth part or tail. */
	assert_int_equal(cni_version_cmp("10.20.30", "10.20.30"), 0);
	assert_true(cni_version_cmp("1.0", "0.0.1") < 0);
	assert_true(cni_version_cmp("1.0.0.0", "0.0.1") < 0);
	assert_true(cni_version_cmp("1.0.0-rc1", "0.0.1") < 0);
	assert_true(cni_version_cmp(" 1.0.0", "0.0.1") < 0);
	assert_true(cni_version_cmp("+1.0.0", "0.0.1") < 0);
	assert_true(cni_version_cmp("1.-1.0", "0.0.1") < 0);
	assert_true(cni_version_cmp("1..0", "0.0.1") < 0);
	assert_true(cni_version_cmp("1234567890.0.0", "0.0.1") < 0);
	assert_true(cni_version_cmp("", "0.0.1") < 0);
	assert_true(cni_version_is_legacy("0.3.1"));
	assert_false(cni_version_is_legacy("1.0.0"));
	expect_fail("{\"cniVersion\": \"0.2.0\", \"name\": \"n\", \"type\": \"t\"}", CNI_ADD, NULL,
		    CNI_ERR_VERSION, "incompatible CNI version 0.2.0");
	expect_fail("{\"name\": \"n\", \"type\": \"t\"}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "cniVersion: is required");
	/* VERSION answers whatever version it is asked in. */
	assert_int_equal(parse("{\"cniVersion\": \"0.1.0\"}", CNI_VERSION, NULL, &c, &e), 0);
	assert_string_equal(c.version, "0.1.0");
	cni_conf_done(&c);
	/* The version outlives a failed parse: the error object is written in it. */
	assert_int_equal(
		parse("{\"cniVersion\": \"1.0.0\", \"type\": \"t\"}", CNI_ADD, NULL, &c, &e), -1);
	assert_string_equal(c.version, "1.0.0");
}

static void test_decode_errors(void **state)
{
	expect_fail("{" BASE ",\n \"bridge\": }", CNI_ADD, NULL, CNI_ERR_DECODE, "line 2");
	expect_fail("{" BASE ", \"bridge\": \"a\", \"bridge\": \"b\"}", CNI_ADD, NULL,
		    CNI_ERR_DECODE, "duplicate object key");
	expect_fail("", CNI_ADD, NULL, CNI_ERR_DECODE, "line 1");
	expect_fail("\"string\"", CNI_ADD, NULL, CNI_ERR_DECODE, "expected");
	expect_fail("[1]", CNI_ADD, NULL, CNI_ERR_CONFIG, "expected a JSON object");
	/* Wrong types name the key and where its value is. */
	expect_fail("{" BASE ",\n  \"mtu\": true}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "mtu: must be an integer from 68 to 65535 (line 2, column 10)");
	expect_fail("{" BASE ", \"ipam\": {\"type\": \"brnet\",\n\"subnet\": 24}}", CNI_ADD, NULL,
		    CNI_ERR_CONFIG, "ipam.subnet: must be a string (line 2, column 11)");
	expect_fail("{" BASE ", \"hairpinMode\": \"yes\"}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "hairpinMode: must be true or false");
	expect_fail("{" BASE ", \"allowRouted\": 1}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "allowRouted: must be true or false");
	expect_fail("{" BASE ", \"checkHostSockets\": \"yes\"}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "checkHostSockets: must be true or false");
	expect_fail("{" BASE ", \"ipMasq\": \"false\"}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "ipMasq: must be true or false");
	expect_fail("{" BASE ", \"noMasqueradeTo\": \"10.0.0.0/8\"}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "noMasqueradeTo: must be an array of strings");
	expect_fail("{" BASE ", \"noMasqueradeTo\": [\"10.0.0.0/8\", 5]}", CNI_ADD, NULL,
		    CNI_ERR_CONFIG, "noMasqueradeTo: must be an array of strings");
	expect_fail("{" BASE ", \"ipMasq\": false, \"noMasqueradeTo\": [\"10.0.0.0/8\"]}", CNI_ADD,
		    NULL, CNI_ERR_CONFIG, "noMasqueradeTo: is for a network that masquerades");
	expect_fail("{" BASE ", \"name\": 5}", CNI_ADD, NULL, CNI_ERR_DECODE, "duplicate");
	expect_fail("{\"cniVersion\": \"1.0.0\", \"name\": \"-x\", \"type\": \"t\"}", CNI_ADD, NULL,
		    CNI_ERR_CONFIG, "name -x");
	expect_fail("{\"cniVersion\": \"1.0.0\", \"name\": \"n\"}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "type: is required");
	expect_fail("{" BASE ", \"bridge\": \"0123456789abcdef\"}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "bridge 0123456789abcdef");
	expect_fail("{" BASE ", \"ipam\": {}, \"stateDir\": \"rel\"}", CNI_ADD, NULL,
		    CNI_ERR_CONFIG, "stateDir rel");
	expect_fail("{" BASE ", \"ipam\": {\"subnet\": \"10.0.0.0/8\"}}", CNI_ADD, NULL,
		    CNI_ERR_CONFIG, "ipam.type: is required");
	expect_fail("{" BASE ", \"ipam\": {\"type\": \"../evil\"}}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "not a plugin name");
	expect_fail("{" BASE ", \"egress\": {\"allow\": \"10.0.0.0/8\"}}", CNI_ADD, NULL,
		    CNI_ERR_CONFIG, "egress.allow: must be an array of CIDRs");
	expect_fail("{" BASE ", \"egress\": {\"tcpPorts\": [0]}}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "egress.tcpPorts");
	expect_fail("{" BASE ", \"egress\": {\"denyAll\": 1}}", CNI_ADD, NULL, CNI_ERR_CONFIG,
		    "egress.denyAll: must be true or false");
	expect_fail("{" BASE ", \"cni.dev/valid-attachments\": [{\"containerID\": 1}]}", CNI_GC,
		    NULL, CNI_ERR_CONFIG, "cni.dev/valid-attachments");
}

static void test_unsupported(void **state)
{
	static const struct {
		const char *keyval, *needle;
	} cases[] = {
		{ "\"isGateway\": false", "isGateway = false" },
		{ "\"promiscMode\": true", "promiscMode = true" },
		{ "\"forceAddress\": true", "forceAddress = true" },
		{ "\"enabledad\": true", "enabledad = true" },
		{ "\"vlan\": 5", "vlan" },
		{ "\"vlanTrunk\": [{\"id\": 5}]", "vlanTrunk" },
		{ "\"egress\": {\"allow\": [\"0.0.0.0/0\"], \"logs\": true}", "egress.logs" },
		{ "\"runtimeConfig\": {\"portMappings\": [{\"hostPort\": 1, \"containerPort\": 1, "
		  "\"protocol\": \"sctp\"}]}",
		  "protocol sctp" },
		{ "\"runtimeConfig\": {\"ips\": [\"10.0.0.2/24\", \"10.0.0.3/24\"]}",
		  "only one IPv4 address" },
		{ "\"runtimeConfig\": {\"portMappings\": [{\"hostPort\": 1, \"containerPort\": 1, "
		  "\"hostIP\": \"::1\"}]}",
		  "IPv6" },
		{ "\"runtimeConfig\": {\"bandwidth\": {\"ingressRate\": 1000000}}",
		  "runtimeConfig.bandwidth: brnet-cni does not shape traffic" },
		{ "\"runtimeConfig\": {\"ipRanges\": [[{\"subnet\": \"10.1.0.0/24\"}]]}",
		  "runtimeConfig.ipRanges: brnet's IPAM takes its range from the config" },
	};
	struct cni_error e = { 0 };
	struct cni_conf c;
	char text[512];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		snprintf(text, sizeof(text), "{" BASE ", %s}", cases[i].keyval);
		expect_fail(text, CNI_ADD, NULL, CNI_ERR_UNSUPPORTED, cases[i].needle);
		/* DEL must work whatever ADD was refused. */
		assert_int_equal(parse(text, CNI_DEL, NULL, &c, &e), 0);
		cni_conf_done(&c);
	}
	/* An IPAM plugin reads ipRanges itself (the whole config is handed to it). */
	assert_int_equal(parse("{" BASE
			       ", \"ipam\": {\"type\": \"host-local\"}, \"runtimeConfig\": "
			       "{\"ipRanges\": [[{\"subnet\": \"10.1.0.0/24\"}]]}}",
			       CNI_ADD, NULL, &c, &e),
			 0);
	cni_conf_done(&c);
	/* Neutral values are accepted. */
	assert_int_equal(parse("{" BASE ", \"isGateway\": true, \"ipMasq\": true, \"vlan\": 0, "
			       "\"vlanTrunk\": [], \"promiscMode\": false, \"unknownKey\": [1]}",
			       CNI_ADD, NULL, &c, &e),
			 0);
	cni_conf_done(&c);
}

static void test_conventions(void **state)
{
	struct cni_error e = { 0 };
	struct cni_conf c;

	/* Defaults. */
	assert_int_equal(parse("{" BASE "}", CNI_ADD, NULL, &c, &e), 0);
	assert_string_equal(c.bridge, "cni0");
	assert_string_equal(c.origin, "cni:net");
	assert_null(c.ipam_type);
	assert_null(c.subnet);
	assert_null(c.ip);
	assert_null(c.mac);
	assert_true(c.routed); /* pods reachable by their address, as with the reference plugin */
	assert_false(c.check_host_sockets); /* the runtime reserves host ports (Podman) */
	assert_int_equal(c.masquerade, -1); /* the network's; a new one masquerades */
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"ipMasq\": false}", CNI_ADD, NULL, &c, &e), 0);
	assert_int_equal(c.masquerade, 0);
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"ipMasq\": true}", CNI_ADD, NULL, &c, &e), 0);
	assert_int_equal(c.masquerade, 1);
	cni_conf_done(&c);
	assert_int_equal(
		parse("{" BASE ", \"noMasqueradeTo\": [\"10.244.0.0/16\"]}", CNI_ADD, NULL, &c, &e),
		0);
	assert_int_equal(json_array_size(c.no_masq), 1);
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"noMasqueradeTo\": 5}", CNI_DEL, NULL, &c, &e), 0);
	cni_conf_done(&c);
	/* DEL deletes whatever ADD was given. */
	assert_int_equal(parse("{" BASE ", \"ipMasq\": 0}", CNI_DEL, NULL, &c, &e), 0);
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"checkHostSockets\": true}", CNI_ADD, NULL, &c, &e), 0);
	assert_true(c.check_host_sockets);
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"allowRouted\": false}", CNI_ADD, NULL, &c, &e), 0);
	assert_false(c.routed);
	cni_conf_done(&c);

	/* runtimeConfig beats args beats CNI_ARGS beats the plain key. */
	assert_int_equal(parse("{" BASE ", \"mac\": \"02:00:00:00:00:04\", "
			       "\"runtimeConfig\": {\"ips\": [\"10.1.0.5/24\"], \"mac\": "
			       "\"02:00:00:00:00:01\"}, \"args\": {\"cni\": {\"ips\": "
			       "[\"10.1.0.6\"], \"mac\": \"02:00:00:00:00:02\"}}}",
			       CNI_ADD, "IP=10.1.0.7;MAC=02:00:00:00:00:03", &c, &e),
			 0);
	assert_string_equal(c.ip, "10.1.0.5");
	assert_string_equal(c.mac, "02:00:00:00:00:01");
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"mac\": \"02:00:00:00:00:04\"}", CNI_ADD,
			       "IgnoreUnknown=1;K8S_POD_NAME=x;IP=10.1.0.7;MAC=02:00:00:00:00:03",
			       &c, &e),
			 0);
	assert_string_equal(c.ip, "10.1.0.7");
	assert_string_equal(c.mac, "02:00:00:00:00:03");
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"mac\": \"02:00:00:00:00:04\"}", CNI_ADD, NULL, &c, &e),
			 0);
	assert_string_equal(c.mac, "02:00:00:00:00:04");
	cni_conf_done(&c);
	expect_fail("{" BASE "}", CNI_ADD, "K8S_POD_NAME=x", CNI_ERR_UNSUPPORTED, "K8S_POD_NAME");
	expect_fail("{" BASE "}", CNI_ADD, "IP", CNI_ERR_ENV, "KEY=VALUE");
	expect_fail("{" BASE "}", CNI_ADD, "MAC=02:00:00:00:00:03:04", CNI_ERR_CONFIG, "MAC");

	/* IPAM: built in with a top-level subnet, built in by type, or delegated. */
	assert_int_equal(parse("{" BASE ", \"subnet\": \"10.2.0.0/16\"}", CNI_ADD, NULL, &c, &e),
			 0);
	assert_string_equal(c.subnet, "10.2.0.0/16");
	cni_conf_done(&c);
	assert_int_equal(parse("{" BASE ", \"ipam\": {\"type\": \"brnet\", \"subnet\": "
			       "\"10.3.0.0/24\", \"rangeStart\": \"10.3.0.10\", \"rangeEnd\": "
			       "\"10.3.0.20\", \"gateway\": \"10.3.0.1\"}}",
			       CNI_ADD, NULL, &c, &e),
			 0);
	assert_null(c.ipam_type);
	assert_string_equal(c.range_start, "10.3.0.10");
	assert_string_equal(c.range_end, "10.3.0.20");
	assert_string_equal(c.gateway, "10.3.0.1");
	cni_conf_done(&c);
	assert_int_equal(
		parse("{" BASE ", \"ipam\": {\"type\": \"host-local\"}}", CNI_ADD, NULL, &c, &e),
		0);
	assert_string_equal(c.ipam_type, "host-local");
	cni_conf_done(&c);

	/* Port mappings become brnet specs. */
	assert_int_equal(
		parse("{" BASE ", \"runtimeConfig\": {\"portMappings\": ["
		      "{\"hostPort\": 8080, \"containerPort\": 80, \"protocol\": \"tcp\"},"
		      "{\"hostPort\": 53, \"containerPort\": 5353, \"protocol\": \"UDP\", "
		      "\"hostIP\": \"127.0.0.1\"},"
		      "{\"hostPort\": 9, \"containerPort\": 9, \"hostIP\": \"0.0.0.0\"}]}}",
		      CNI_ADD, NULL, &c, &e),
		0);
	assert_int_equal(c.n_ports, 3);
	assert_string_equal(c.ports[0], "8080:80/tcp");
	assert_string_equal(c.ports[1], "127.0.0.1:53:5353/udp");
	assert_string_equal(c.ports[2], "0.0.0.0:9:9/tcp"); /* every address: publish_parse() */
	cni_conf_done(&c);
	/* As containerd (go-cni) sends them: Go structs without JSON tags, read as Go reads them
	 * (the exact key first, else one equal but for case). */
	assert_int_equal(parse("{" BASE ", \"runtimeConfig\": {\"portMappings\": ["
			       "{\"HostPort\": 8080, \"ContainerPort\": 80, \"Protocol\": \"tcp\", "
			       "\"HostIP\": \"\"},"
			       "{\"HostPort\": 1, \"hostPort\": 53, \"ContainerPort\": 5353, "
			       "\"Protocol\": \"udp\", \"HostIP\": \"127.0.0.1\"}]}}",
			       CNI_ADD, NULL, &c, &e),
			 0);
	assert_int_equal(c.n_ports, 2);
	assert_string_equal(c.ports[0], "8080:80/tcp");
	assert_string_equal(c.ports[1], "127.0.0.1:53:5353/udp");
	cni_conf_done(&c);
	expect_fail("{" BASE ", \"runtimeConfig\": {\"portMappings\": [{\"hostPort\": 70000, "
		    "\"containerPort\": 80}]}}",
		    CNI_ADD, NULL, CNI_ERR_CONFIG, "portMappings.hostPort");
	expect_fail("{" BASE ", \"runtimeConfig\": {\"portMappings\": [{\"hostPort\": 80}]}}",
		    CNI_ADD, NULL, CNI_ERR_CONFIG, "containerPort: is required");
}

static void test_result_build(void **state)
{
	struct cni_add_result r = {
		.ifaces = { { .name = "cni0", .mac = "02:00:00:00:00:01", .mtu = 1500 },
			    { .name = "vb00000000", .mac = "02:00:00:00:00:02", .mtu = 1500 },
			    { .name = "eth0",
			      .mac = "02:00:00:00:00:03",
			      .mtu = 1500,
			      .sandbox = "/run/netns/x" } },
		.address = "10.0.0.2/24",
		.gateway = "10.0.0.1",
	};
	json_error_t jerr;
	json_t *res, *prev;

	res = cni_result_build("0.4.0", &r, NULL);
	assert_non_null(res);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(res, "ips"), 0), "version")),
			    "4");
	assert_null(json_object_get(json_array_get(json_object_get(res, "interfaces"), 2), "mtu"));
	json_decref(res);

	res = cni_result_build("1.1.0", &r, NULL);
	assert_null(json_object_get(json_array_get(json_object_get(res, "ips"), 0), "version"));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(res, "interfaces"), 2), "mtu")),
			 1500);
	assert_null(
		json_object_get(json_array_get(json_object_get(res, "interfaces"), 1), "sandbox"));
	json_decref(res);

	/* Chained: the previous plugin's interface keeps index 0, ours follow. */
	prev = json_loads("{\"cniVersion\": \"1.0.0\", \"interfaces\": [{\"name\": \"x\"}], "
			  "\"ips\": [], \"dns\": {\"nameservers\": [\"1.1.1.1\"]}}",
			  0, &jerr);
	res = cni_result_build("1.0.0", &r, prev);
	assert_int_equal(json_array_size(json_object_get(res, "interfaces")), 4);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(res, "ips"), 0), "interface")),
			 3);
	assert_non_null(json_object_get(json_object_get(res, "dns"), "nameservers"));
	assert_int_equal(cni_result_find(res, "eth0", "/run/netns/x", "02:00:00:00:00:03",
					 "10.0.0.2/24", &(struct cni_error){ 0 }),
			 0);
	json_decref(res);
	json_decref(prev);
}

static void test_result_read(void **state)
{
	static const struct {
		const char *result, *named;
	} refused[] = {
		{ "{\"ips\": [{\"address\": \"fd00::2/64\"}, {\"address\": \"10.88.0.5/16\", "
		  "\"gateway\": \"10.88.0.1\"}]}",
		  "fd00::2/64" },
		{ "{\"ips\": [{\"address\": \"10.88.0.5/16\"}, {\"address\": \"fd00::2/64\"}]}",
		  "fd00::2/64" },
		{ "{\"ips\": [{\"address\": \"10.88.0.5/16\"}, {\"address\": \"10.89.0.5/16\"}]}",
		  "10.89.0.5/16" },
	};
	struct cni_ipam_result ipam;
	struct cni_error e = { 0 };
	json_error_t jerr;
	json_t *res;

	res = json_loads("{\"ips\": [{\"address\": \"10.88.0.5/16\", \"gateway\": "
			 "\"10.88.0.1\"}], \"routes\": [{\"dst\": \"0.0.0.0/0\"}], \"dns\": {}}",
			 0, &jerr);
	assert_int_equal(cni_result_parse_ipam(res, &ipam, &e), 0);
	assert_string_equal(ipam.address, "10.88.0.5/16");
	assert_string_equal(ipam.gateway, "10.88.0.1");
	assert_non_null(ipam.dns);
	json_decref(res);

	res = json_loads("{\"ips\": [{\"address\": \"10.88.0.5/16\"}], \"routes\": [{\"dst\": "
			 "\"192.168.0.0/16\"}]}",
			 0, &jerr);
	assert_int_equal(cni_result_parse_ipam(res, &ipam, &e), -1);
	assert_int_equal(e.code, CNI_ERR_UNSUPPORTED);
	assert_non_null(strstr(e.msg, "192.168.0.0/16"));
	json_decref(res);

	/* An address brnet would not configure is refused, naming it: an IPv6 one (before or
	 * after the IPv4 one) or a second IPv4 one. */
	for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
		res = json_loads(refused[i].result, 0, &jerr);
		assert_non_null(res);
		assert_int_equal(cni_result_parse_ipam(res, &ipam, &e), -1);
		assert_int_equal(e.code, CNI_ERR_UNSUPPORTED);
		assert_non_null(strstr(e.msg, refused[i].named));
		json_decref(res);
	}
	res = json_loads("{\"ips\": []}", 0, &jerr);
	assert_int_equal(cni_result_parse_ipam(res, &ipam, &e), -1);
	assert_int_equal(e.code, CNI_ERR_IPAM);
	json_decref(res);

	res = json_loads("{\"interfaces\": [{\"name\": \"eth0\", \"sandbox\": \"/n\", \"mac\": "
			 "\"02:00:00:00:00:01\"}], \"ips\": [{\"address\": \"10.0.0.2/24\", "
			 "\"interface\": 0}]}",
			 0, &jerr);
	assert_int_equal(cni_result_find(res, "eth0", "/n", "02:00:00:00:00:01", "10.0.0.2/24", &e),
			 0);
	assert_int_equal(cni_result_find(res, "eth0", "/other", NULL, "10.0.0.2/24", &e), -1);
	assert_int_equal(e.code, CNI_ERR_CHECK);
	assert_int_equal(cni_result_find(res, "eth0", "/n", "02:00:00:00:00:09", "10.0.0.2/24", &e),
			 -1);
	assert_non_null(strstr(e.msg, "MAC"));
	assert_int_equal(cni_result_find(res, "eth0", "/n", NULL, "10.0.0.3/24", &e), -1);
	assert_non_null(strstr(e.msg, "10.0.0.3/24"));
	json_decref(res);
}

static void test_error_json(void **state)
{
	struct cni_error e = { 0 };
	json_t *j;

	cni_fail(&e, CNI_ERR_UNSUPPORTED, "vlan", "vlan: %s", "not supported");
	j = cni_error_json(&e, "0.4.0");
	assert_string_equal(json_string_value(json_object_get(j, "cniVersion")), "0.4.0");
	assert_int_equal(json_integer_value(json_object_get(j, "code")), 2);
	assert_string_equal(json_string_value(json_object_get(j, "msg")), "vlan: not supported");
	assert_string_equal(json_string_value(json_object_get(j, "details")), "vlan");
	json_decref(j);
	assert_int_equal(cni_fail_brnet(&e, -EADDRINUSE, NULL), -1);
	assert_int_equal(e.code, CNI_ERR_IN_USE);
	assert_int_equal(cni_fail_brnet(&e, -EBUSY, NULL), -1);
	assert_int_equal(e.code, CNI_ERR_TRY_AGAIN);
	assert_int_equal(cni_fail_brnet(&e, -ENOSPC, NULL), -1);
	assert_int_equal(e.code, CNI_ERR_IO);
	assert_int_equal(
		cni_fail_brnet(&e, -ENOSPC,
			       &(struct brnet_error){ .code = ENOSPC,
						      .msg = "subnet 10.0.0.0/30 is full: "
							     "all 1 addresses are leased" }),
		-1);
	assert_int_equal(e.code, CNI_ERR_IN_USE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),	      cmocka_unit_test(test_versions),
		cmocka_unit_test(test_decode_errors), cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_conventions),   cmocka_unit_test(test_result_build),
		cmocka_unit_test(test_result_read),   cmocka_unit_test(test_error_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
