# shellcheck shell=bash
# Helpers shared by scripts/test and the other files in scripts/lib.
# Sourced, not run: it only defines functions and a few globals.

# say prints a progress line; warn and die print to stderr.
say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
	printf 'ERROR: %s\n' "$*" >&2
	exit 1
}

# show_tail FILE [N] prints the last N lines of a log, indented, to stderr,
# so that a failed start-up explains itself.
show_tail() {
	local file=$1 n=${2:-30}
	[[ -s $file ]] || return 0
	printf -- '---- last %s lines of %s ----\n' "$n" "$file" >&2
	tail -n "$n" "$file" | sed 's/^/    /' >&2
	printf -- '----\n' >&2
}

# rand_hex N prints N random bytes as hex (2N characters).
rand_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# redact_url hides the password of a URL before it is printed.
redact_url() {
	sed -E 's#(://[^:/@]+):[^@/]*@#\1:****@#' <<<"$1"
}

# tcp_open HOST PORT succeeds when something accepts TCP connections there.
# bash's /dev/tcp needs no extra tool; timeout guards against a silent peer.
tcp_open() {
	# shellcheck disable=SC2016 # $1 and $2 belong to the inner bash
	timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

# random_free_port prints a port on 127.0.0.1 that nothing listens on now.
# Ports come from 15000-31999, below Linux's ephemeral range (32768+), so
# an outgoing connection cannot grab ours between the check and the bind.
# $1, if given, is a port to avoid (the one just picked for something else).
random_free_port() {
	local port
	for _ in $(seq 1 100); do
		port=$((15000 + ((RANDOM << 15) | RANDOM) % 17000))
		[[ $port == "${1:-}" ]] && continue
		if ! tcp_open 127.0.0.1 "$port"; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# http_status URL prints the HTTP status code (000 when nothing answers).
# Uses curl when there is one, else a plain HTTP/1.0 request over /dev/tcp.
http_status() {
	local url=$1 code
	if command -v curl >/dev/null 2>&1; then
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url") || code=000
		echo "${code:-000}"
		return 0
	fi
	local rest=${url#http://} hostport path host port
	hostport=${rest%%/*}
	path=/${rest#*/}
	host=${hostport%:*}
	port=${hostport##*:}
	[[ $port == "$hostport" ]] && port=80
	# shellcheck disable=SC2016 # $1..$3 belong to the inner bash
	code=$(timeout 3 bash -c '
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1:$2" >&3
		IFS=" " read -r _ status _ <&3
		echo "$status"' _ "$host" "$port" "$path" 2>/dev/null) || code=000
	echo "${code:-000}"
}

# apt_install PKG... installs Debian packages when we are root and have
# apt-get; it returns non-zero (without installing) otherwise. The package
# lists are refreshed once per run, since a fresh machine may have none.
apt_updated=0
apt_install() {
	[[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || return 1
	local log
	log=$(mktemp -t craftscode-apt.XXXXXX)
	if [[ $apt_updated -eq 0 ]]; then
		say "running apt-get update"
		if ! apt-get update >"$log" 2>&1; then
			show_tail "$log"
			rm -f "$log"
			return 1
		fi
		apt_updated=1
	fi
	say "installing Debian package(s): $* (apt-get install -y --no-install-recommends)"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >"$log" 2>&1; then
		show_tail "$log"
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}
