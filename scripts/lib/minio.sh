# shellcheck shell=bash
# MinIO for the tests: reuse TEST_S3_ENDPOINT when it is healthy, else start
# a throwaway server from a cached binary. Sourced by scripts/test after
# common.sh.
#
# Sets: TEST_S3_ENDPOINT, TEST_S3_ACCESS_KEY, TEST_S3_SECRET_KEY (exported)
# and minio_summary. minio_stop stops only a server that this file started.

# The MinIO release the tests run against, built from source with
# `go install` (no prebuilt binary is downloaded) and cached outside the repo.
MINIO_MODULE=github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c

minio_cache_bin="${CRAFTSCODE_CACHE_DIR:-${HOME:-/root}/.cache/craftscode}/bin"
minio_bin="$minio_cache_bin/minio"
minio_dir=""   # temp dir of our own server (data/, log); "" = none
minio_pid=""   # pid of our own server; "" = none
minio_build="" # half-built binary dir to remove if we are interrupted
# shellcheck disable=SC2034 # read by scripts/test
minio_summary=""

minio_healthy() {
	[[ $(http_status "http://$1/minio/health/live") == 200 ]]
}

# minio_ensure_binary builds the cached binary once. A lock keeps two test
# runs from building it at the same time; the binary is moved into place
# only when complete, so a killed build never leaves a broken one behind.
minio_ensure_binary() {
	[[ -x $minio_bin ]] && return 0
	mkdir -p "$minio_cache_bin"
	local lock_fd=""
	if command -v flock >/dev/null 2>&1; then
		exec {lock_fd}>"$minio_cache_bin/.minio.lock"
		if ! flock -n "$lock_fd"; then
			say "another run is building MinIO into $minio_cache_bin; waiting for it"
			flock "$lock_fd"
		fi
	fi
	if [[ ! -x $minio_bin ]]; then
		say "building MinIO once into $minio_bin (go install $MINIO_MODULE): this takes about 5 minutes; later runs reuse it"
		minio_build=$(mktemp -d "$minio_cache_bin/.build.XXXXXX")
		# Run outside the repo so our go.mod plays no part in the build.
		if ! (cd "$minio_build" && GOBIN="$minio_build" go install "$MINIO_MODULE") >"$minio_build.log" 2>&1; then
			show_tail "$minio_build.log" 40
			rm -rf "$minio_build" "$minio_build.log"
			minio_build=""
			die "building MinIO failed (log above)"
		fi
		mv -f "$minio_build/minio" "$minio_bin"
		rm -rf "$minio_build" "$minio_build.log"
		minio_build=""
		say "MinIO built"
	fi
	[[ -n $lock_fd ]] && exec {lock_fd}>&-
	return 0
}

# minio_start runs a throwaway server with random credentials on free ports
# and waits (at most 60 s) until it reports healthy.
minio_start() {
	minio_ensure_binary
	minio_dir=$(mktemp -d -t craftscode-minio.XXXXXX)
	local user pass port cport attempt
	user="ck$(rand_hex 8)"
	pass=$(rand_hex 16)
	for attempt in 1 2 3 4 5; do
		port=$(random_free_port) || die "found no free TCP port for MinIO"
		cport=$(random_free_port "$port") || die "found no free TCP port for the MinIO console"
		MINIO_ROOT_USER=$user MINIO_ROOT_PASSWORD=$pass MINIO_UPDATE=off \
			"$minio_bin" server "$minio_dir/data" \
			--address "127.0.0.1:$port" --console-address "127.0.0.1:$cport" \
			>"$minio_dir/minio.log" 2>&1 &
		minio_pid=$!
		for _ in $(seq 1 120); do
			# MinIO answers on its API port before it binds the console port
			# (and dies if that one is taken): so it must stay up a moment.
			if minio_healthy "127.0.0.1:$port" && sleep 1 && kill -0 "$minio_pid" 2>/dev/null &&
				minio_healthy "127.0.0.1:$port"; then
				export TEST_S3_ENDPOINT="127.0.0.1:$port"
				export TEST_S3_ACCESS_KEY=$user
				export TEST_S3_SECRET_KEY=$pass
				minio_summary="started a throwaway server at $TEST_S3_ENDPOINT (console 127.0.0.1:$cport, binary $minio_bin, data in $minio_dir/data)"
				return 0
			fi
			kill -0 "$minio_pid" 2>/dev/null || break
			sleep 0.5
		done
		if ! kill -0 "$minio_pid" 2>/dev/null; then
			wait "$minio_pid" 2>/dev/null || true
			minio_pid=""
			# Lost a race for the port: try others.
			if grep -qi 'already in use' "$minio_dir/minio.log" && [[ $attempt -lt 5 ]]; then
				say "port $port or $cport was taken meanwhile; trying others"
				rm -rf "$minio_dir/data"
				continue
			fi
			show_tail "$minio_dir/minio.log"
			die "MinIO exited during start-up (log above)"
		fi
		show_tail "$minio_dir/minio.log"
		die "MinIO did not become healthy within 60 s (log above)"
	done
}

# minio_setup decides between the given server and a throwaway one.
minio_setup() {
	if [[ -n ${TEST_S3_ENDPOINT:-} ]]; then
		if minio_healthy "$TEST_S3_ENDPOINT"; then
			if [[ -z ${TEST_S3_ACCESS_KEY:-} || -z ${TEST_S3_SECRET_KEY:-} ]]; then
				warn "TEST_S3_ENDPOINT is set but TEST_S3_ACCESS_KEY or TEST_S3_SECRET_KEY is empty"
			fi
			# shellcheck disable=SC2034 # read by scripts/test
			minio_summary="reusing TEST_S3_ENDPOINT=$TEST_S3_ENDPOINT (access key ${TEST_S3_ACCESS_KEY:-<unset>})"
			return 0
		fi
		warn "TEST_S3_ENDPOINT=$TEST_S3_ENDPOINT is not healthy (http://$TEST_S3_ENDPOINT/minio/health/live); starting a throwaway MinIO instead"
	fi
	minio_start
}

# minio_stop stops our server (if any) and removes its files. It must run
# to the end even under set -e (a process that is already gone is fine).
minio_stop() {
	if [[ -n $minio_pid ]]; then
		kill "$minio_pid" 2>/dev/null || true
		for _ in $(seq 1 20); do
			kill -0 "$minio_pid" 2>/dev/null || break
			sleep 0.5
		done
		kill -9 "$minio_pid" 2>/dev/null || true
		wait "$minio_pid" 2>/dev/null || true
		minio_pid=""
	fi
	if [[ -n $minio_dir ]]; then
		rm -rf "$minio_dir"
		minio_dir=""
	fi
	if [[ -n $minio_build ]]; then
		rm -rf "$minio_build" "$minio_build.log"
		minio_build=""
	fi
	return 0
}
