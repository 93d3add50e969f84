# shellcheck shell=bash
# PostgreSQL for the tests: reuse TEST_DATABASE_URL when it answers, else
# start a throwaway cluster. Sourced by scripts/test after common.sh.
#
# Sets: TEST_DATABASE_URL (exported) and pg_summary (one line for humans).
# pg_stop stops and removes only a cluster that this file started.

pg_dir=""    # temp dir of our own cluster (data/, sock/, logs); "" = none
pg_user=""   # user that owns and runs our cluster; "" = ourselves
pg_bindir="" # directory with initdb and pg_ctl
# shellcheck disable=SC2034 # read by scripts/test
pg_summary=""

# pg_answers URL succeeds when a server accepts a query (or, without any
# client installed, at least a TCP connection) at URL.
pg_answers() {
	local url=$1
	if command -v psql >/dev/null 2>&1; then
		PGCONNECT_TIMEOUT=5 psql -X -q -A -t -d "$url" -c 'select 1' >/dev/null 2>&1
	elif command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -t 5 -d "$url"
	else
		local re='^postgres(ql)?://([^@/]*@)?([^:/?]+)(:([0-9]+))?'
		[[ $url =~ $re ]] || return 1
		tcp_open "${BASH_REMATCH[3]}" "${BASH_REMATCH[5]:-5432}"
	fi
}

# pg_version URL prints e.g. "PostgreSQL 15.19", or nothing without psql.
pg_version() {
	command -v psql >/dev/null 2>&1 || return 0
	PGCONNECT_TIMEOUT=5 psql -X -q -A -t -d "$1" -c 'show server_version' 2>/dev/null |
		sed -E 's/^([^ ]+).*/PostgreSQL \1/' || true
}

# pg_find_bindir prints a directory holding both initdb and pg_ctl. Debian
# keeps them off the PATH, in /usr/lib/postgresql/VERSION/bin.
pg_find_bindir() {
	local c candidates=() v pkg
	if command -v initdb >/dev/null 2>&1; then
		candidates+=("$(dirname "$(readlink -f "$(command -v initdb)")")")
	fi
	# Newest version first.
	while IFS= read -r c; do candidates+=("$c"); done < <(
		for c in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin; do
			[[ -d $c ]] && echo "$c"
		done | sort -rV
	)
	if command -v pg_config >/dev/null 2>&1; then
		candidates+=("$(pg_config --bindir 2>/dev/null || true)")
	fi
	if command -v pg_lsclusters >/dev/null 2>&1; then
		while read -r v; do candidates+=("/usr/lib/postgresql/$v/bin"); done < <(
			pg_lsclusters -h 2>/dev/null | awk '{print $1}' | sort -rVu
		)
	fi
	if command -v dpkg-query >/dev/null 2>&1; then
		while read -r pkg; do
			c=$(dpkg-query -L "$pkg" 2>/dev/null | grep -m1 '/bin/initdb$' || true)
			[[ -n $c ]] && candidates+=("$(dirname "$c")")
		done < <(dpkg-query -W -f '${db:Status-Abbrev} ${Package}\n' 'postgresql-[0-9]*' 2>/dev/null |
			awk '$1 == "ii" {print $2}' | sort -rV)
	fi
	for c in "${candidates[@]}"; do
		if [[ -n $c && -x $c/initdb && -x $c/pg_ctl ]]; then
			echo "$c"
			return 0
		fi
	done
	return 1
}

# pg_run CMD... runs a PostgreSQL tool as the cluster's owner, from inside
# the cluster dir (the owner may not be allowed into our cwd, e.g. /root).
pg_run() {
	(
		cd "$pg_dir" || exit 1
		if [[ -z $pg_user ]]; then
			"$@"
		elif command -v runuser >/dev/null 2>&1; then
			runuser -u "$pg_user" -- "$@"
		else
			setpriv --reuid="$pg_user" --regid="$(id -g "$pg_user")" --init-groups -- "$@"
		fi
	)
}

# pg_initdb creates the cluster: trust auth for the user "postgres", UTF8,
# C.UTF-8 collation when the machine has that locale, no locale otherwise.
pg_initdb() {
	local common=(-D "$pg_dir/data" -A trust -U postgres -E UTF8 --no-sync)
	if pg_run "$pg_bindir/initdb" "${common[@]}" --locale=C.UTF-8 >"$pg_dir/initdb.log" 2>&1; then
		return 0
	fi
	say "initdb with --locale=C.UTF-8 failed; retrying with --no-locale"
	rm -rf "$pg_dir/data"
	if ! pg_run "$pg_bindir/initdb" "${common[@]}" --no-locale >>"$pg_dir/initdb.log" 2>&1; then
		show_tail "$pg_dir/initdb.log"
		die "initdb failed (log above)"
	fi
}

# pg_start starts a throwaway cluster on a free port and exports its URL.
pg_start() {
	if ! pg_bindir=$(pg_find_bindir); then
		say "PostgreSQL server binaries (initdb, pg_ctl) not found"
		apt_install postgresql ||
			die "no PostgreSQL server binaries, and cannot install them (needs root and apt-get). Install PostgreSQL or set TEST_DATABASE_URL."
		pg_bindir=$(pg_find_bindir) || die "installed postgresql but still found no initdb/pg_ctl"
	fi

	# initdb refuses to run as root: let an unprivileged user own the cluster.
	if [[ $(id -u) -eq 0 ]]; then
		if id postgres >/dev/null 2>&1; then pg_user=postgres; else pg_user=nobody; fi
	fi

	pg_dir=$(mktemp -d -t craftscode-pg.XXXXXX)
	chmod 755 "$pg_dir" # the owner must reach it even under a private TMPDIR
	mkdir -p "$pg_dir/sock"
	if [[ -n $pg_user ]]; then
		chown -R "$pg_user:" "$pg_dir"
		pg_run test -w "$pg_dir" 2>/dev/null ||
			die "$pg_user cannot write to $pg_dir (set TMPDIR to a folder it can reach)"
	fi

	pg_initdb

	# A port can be taken between our check and the server's bind: retry.
	local port attempt opts
	for attempt in 1 2 3 4 5; do
		port=$(random_free_port) || die "found no free TCP port for PostgreSQL"
		opts="-p $port -k '$pg_dir/sock' -c listen_addresses=127.0.0.1"
		# Durability is pointless for a throwaway cluster; speed is not.
		opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
		opts+=" -c max_connections=300"
		if pg_run "$pg_bindir/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" \
			-w -t 60 -o "$opts" start >"$pg_dir/pg_ctl.log" 2>&1; then
			break
		fi
		if grep -qiE 'already in use|could not bind|could not create any TCP/IP sockets' \
			"$pg_dir/postgres.log" 2>/dev/null && [[ $attempt -lt 5 ]]; then
			say "port $port was taken meanwhile; trying another"
			: >"$pg_dir/postgres.log"
			continue
		fi
		cat "$pg_dir/pg_ctl.log" >&2
		show_tail "$pg_dir/postgres.log"
		die "could not start PostgreSQL from $pg_bindir (logs above)"
	done

	export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	local version
	version=$(pg_version "$TEST_DATABASE_URL")
	pg_summary="started a throwaway cluster at $TEST_DATABASE_URL (${version:-$pg_bindir}; data in $pg_dir/data, run as ${pg_user:-$(id -un)})"
}

# pg_setup decides between the given server and a throwaway one.
pg_setup() {
	if [[ -n ${TEST_DATABASE_URL:-} ]]; then
		if pg_answers "$TEST_DATABASE_URL"; then
			local version
			version=$(pg_version "$TEST_DATABASE_URL")
			# shellcheck disable=SC2034 # read by scripts/test
			pg_summary="reusing TEST_DATABASE_URL=$(redact_url "$TEST_DATABASE_URL")${version:+ ($version)}"
			return 0
		fi
		warn "TEST_DATABASE_URL=$(redact_url "$TEST_DATABASE_URL") does not answer; starting a throwaway cluster instead"
	fi
	pg_start
}

# pg_stop stops our cluster (if any) and removes its files. Safe to call
# twice and after a half-done start: it looks at the pid file, not at flags.
# It must run to the end even under set -e.
pg_stop() {
	[[ -n $pg_dir && -d $pg_dir ]] || return 0
	if [[ -f $pg_dir/data/postmaster.pid ]]; then
		if ! pg_run "$pg_bindir/pg_ctl" -D "$pg_dir/data" -m immediate -w -t 30 stop >/dev/null 2>&1; then
			# pg_ctl failed: the pid file's first line is our postmaster.
			local pid
			pid=$(head -n1 "$pg_dir/data/postmaster.pid" 2>/dev/null || true)
			if [[ $pid =~ ^[0-9]+$ ]]; then kill -9 "$pid" 2>/dev/null || true; fi
		fi
	fi
	rm -rf "$pg_dir"
	pg_dir=""
	return 0
}
