# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for brnet(8): verbs, each verb's options, attachment ids, bridges, files.
# Stands alone (bash-completion's helpers are used by none of it). The option lists are the
# verbs' --help; tests/completion/test-bash.sh fails when the two differ.

_brnet_verbs="run setup teardown check policy events ls gc restore version help"

# The options of a verb, the ones that take a value marked with a trailing '='.
_brnet_options() {
	local egress="--egress-allow= --egress-allow-file= --egress-deny-all --egress-tcp-port=
		--egress-udp-port= --no-egress-dns --egress-log --egress-reject"
	local net="--id= --ifname= --bridge= --subnet= --ip= --mtu= --publish= --ignore-host-sockets
		--dns= --dns-search= --dns-option= $egress --allow-routed --no-masquerade --no-masquerade-to="

	case $1 in
	run) echo "$net --user= --verbose" ;;
	setup) echo "--pid= --netns= $net --rootfs= --resolv-bind --json" ;;
	teardown) echo "--id= --ifname= --network= --json" ;;
	check) echo "--id= --ifname= --all --json" ;;
	policy) echo "--id= --ifname= $egress --dns=" ;;
	events) echo "--json --follow --timeout= --count=" ;;
	ls) echo "--networks --network= --json" ;;
	gc) echo "--dry-run --json --follow" ;;
	restore) echo "--follow" ;;
	help) ;;
	*) return ;;
	esac
	echo "--state-dir= --help"
}

# The first column of a listing, without its header; nothing when brnet cannot list.
_brnet_column() {
	brnet ${_brnet_state:+--state-dir "$_brnet_state"} ls "$@" 2>/dev/null |
		while read -r first _; do printf '%s\n' "$first"; done | tail -n +2
}

# Moves i from an option to its value ("--opt value" or, as bash splits it, "--opt = value");
# false when the value is the word being completed.
_brnet_value() {
	((i + 1 < COMP_CWORD)) || return 1
	((i++))
	if [ "${COMP_WORDS[i]}" = = ]; then
		((i + 1 < COMP_CWORD)) || return 1
		((i++))
	fi
}

_brnet() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev= verb= word opts i
	local _brnet_state=
	local -a list
	((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
	COMPREPLY=()
	# bash splits "--id=x" into "--id", "=", "x": complete x as --id's value.
	if [ "$cur" = = ]; then
		cur=
	elif [ "$prev" = = ] && ((COMP_CWORD > 1)); then
		prev=${COMP_WORDS[COMP_CWORD - 2]}
	fi

	# The verb is the first word that is neither an option nor --state-dir's value; after
	# it, run's first word that is not an option (or what follows "--") is the command.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--state-dir) _brnet_value && _brnet_state=${COMP_WORDS[i]} ;;
		-*) ;;
		*) verb=$word; break ;;
		esac
	done
	if [ -z "$verb" ]; then
		case $prev in
		--state-dir) compopt -o dirnames 2>/dev/null; return ;;
		esac
		case $cur in
		-*) mapfile -t COMPREPLY < <(compgen -W "--state-dir --help" -- "$cur") ;;
		*) mapfile -t COMPREPLY < <(compgen -W "$_brnet_verbs" -- "$cur") ;;
		esac
		return
	fi

	list=($(_brnet_options "$verb"))
	opts=" ${list[*]} "
	for ((i++; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--) [ "$verb" = run ] && break ;;
		--state-dir) _brnet_value && _brnet_state=${COMP_WORDS[i]} ;;
		-*) [[ $opts == *" $word= "* ]] && _brnet_value ;;
		*) [ "$verb" = run ] && break ;;
		esac
	done
	if [ "$verb" = run ] && ((i < COMP_CWORD)); then
		if [ "${COMP_WORDS[i]}" = -- ] && ((i + 1 == COMP_CWORD)); then
			mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		else
			compopt -o default 2>/dev/null # the command's own arguments
		fi
		return
	fi

	case $prev in
	--id) mapfile -t COMPREPLY < <(compgen -W "$(_brnet_column)" -- "$cur"); return ;;
	--bridge | --network)
		mapfile -t COMPREPLY < <(compgen -W "$(_brnet_column --networks)" -- "$cur")
		return
		;;
	--netns | --egress-allow-file) compopt -o default 2>/dev/null; return ;;
	--state-dir | --rootfs) compopt -o dirnames 2>/dev/null; return ;;
	--user) mapfile -t COMPREPLY < <(compgen -u -- "$cur"); return ;;
	--pid)
		mapfile -t COMPREPLY < <(compgen -W "$(cd /proc && printf '%s\n' [0-9]*)" -- "$cur")
		return
		;;
	esac
	[[ $opts == *" $prev= "* ]] && return # a value nobody can guess: an address, a port
	[ "$verb" = version ] && return
	if [ "$verb" = help ] && [[ $cur != -* ]]; then
		[ "$prev" = help ] && mapfile -t COMPREPLY < <(compgen -W "$_brnet_verbs" -- "$cur")
		return
	fi
	if [ "$verb" = run ] && [[ $cur != -* ]]; then
		mapfile -t COMPREPLY < <(compgen -c -- "$cur")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -W "${opts//=/}" -- "$cur")
}

complete -F _brnet brnet
