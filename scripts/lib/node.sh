# shellcheck shell=bash
# The page checkers of the browser tests: axe-core and html-validate, from
# npm, at the versions pinned in scripts/lib/checkers/package-lock.json
# (exact versions and sha512 integrity of every package). Sourced by
# scripts/test after common.sh.
#
# `npm ci` installs them once into
#   ${CRAFTSCODE_CACHE_DIR:-~/.cache/craftscode}/npm/<sha256 of the lock>/
# outside the repo; later runs reuse that folder, and a changed lock file
# installs into a new one. Node and npm come from Debian when missing.
#
# Sets and exports, when the install works:
#   CRAFTSCODE_AXE_JS          path of axe.min.js
#   CRAFTSCODE_HTML_VALIDATE   path of the html-validate command
# and checkers_summary. On failure it warns and exports nothing: the
# browser tests then skip, or fail under CRAFTSCODE_REQUIRE_BROWSER=1.

checkers_src="scripts/lib/checkers"
checkers_cache="${CRAFTSCODE_CACHE_DIR:-${HOME:-/root}/.cache/craftscode}/npm"
checkers_build="" # half-made install dir to remove if we are interrupted
# shellcheck disable=SC2034 # read by scripts/test
checkers_summary=""

# node_ok succeeds when node is at least 20.19 (html-validate 10's floor).
node_ok() {
	command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || return 1
	node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a==20&&b>=19)?0:1)'
}

# checkers_cleanup removes a half-made install (scripts/test's cleanup).
checkers_cleanup() {
	[[ -n $checkers_build ]] && rm -rf "$checkers_build"
	checkers_build=""
}

checkers_setup() {
	if ! node_ok; then
		apt_install nodejs npm || true
	fi
	if ! node_ok; then
		warn "node >= 20.19 with npm is missing and cannot be installed; the page checks of the browser tests will skip (fail under CI)"
		checkers_summary="missing (no node >= 20.19)"
		return 0
	fi
	local hash dir lock_fd="" log
	hash=$(sha256sum "$checkers_src/package-lock.json" | cut -c1-16)
	dir="$checkers_cache/$hash"
	if [[ ! -f $dir/.complete ]]; then
		mkdir -p "$checkers_cache"
		if command -v flock >/dev/null 2>&1; then
			exec {lock_fd}>"$checkers_cache/.lock"
			if ! flock -n "$lock_fd"; then
				say "another run is installing the page checkers into $checkers_cache; waiting for it"
				flock "$lock_fd"
			fi
		fi
		if [[ ! -f $dir/.complete ]]; then
			say "installing axe-core and html-validate once into $dir (npm ci)"
			checkers_build=$(mktemp -d "$checkers_cache/.build.XXXXXX")
			cp "$checkers_src/package.json" "$checkers_src/package-lock.json" "$checkers_build/"
			log="$checkers_build.log"
			# --ignore-scripts: nothing from the registry runs at install time.
			if (cd "$checkers_build" && npm ci --ignore-scripts --no-audit --no-fund) >"$log" 2>&1; then
				touch "$checkers_build/.complete"
				rm -rf "$dir"
				mv "$checkers_build" "$dir"
			else
				show_tail "$log" 30
				warn "npm ci of the page checkers failed; the page checks of the browser tests will skip (fail under CI)"
				checkers_summary="missing (npm ci failed)"
			fi
			rm -f "$log"
			checkers_cleanup
		fi
		[[ -n $lock_fd ]] && exec {lock_fd}>&-
	fi
	[[ -f $dir/.complete ]] || return 0
	export CRAFTSCODE_AXE_JS="$dir/node_modules/axe-core/axe.min.js"
	export CRAFTSCODE_HTML_VALIDATE="$dir/node_modules/.bin/html-validate"
	# shellcheck disable=SC2034 # read by scripts/test
	checkers_summary="axe-core $(node -p "require('$dir/node_modules/axe-core/package.json').version"), html-validate $(node -p "require('$dir/node_modules/html-validate/package.json').version") in $dir"
}
