# digest.awk: turns `go test -v` output into a short, readable digest.
#
# Prints: every --- FAIL line with the output its test printed, every
# --- SKIP line with its reason, top-level --- PASS lines, the ok, FAIL or
# "?" (no test files) line of each package, `go:` messages, and for a
# package that failed without a failing test (build error, panic in
# TestMain, timeout) the end of its output. Benchmarks (go test -bench):
# every result line ("BenchmarkX-2  1  123 ns/op") is printed and counted
# as a benchmark run; a "--- FAIL: BenchmarkX" counts as a failure, like a
# test's. At the end writes "PASSED FAILED SKIPPED BENCH_RAN BENCH_FAILED"
# to the file `counts` (FAILED includes BENCH_FAILED).
#
# Written for POSIX awk (Debian's default is mawk): no gawk extensions.
#
# How output is tied to a test: with -v, `go test` prints "=== RUN",
# "=== CONT" or "=== NAME" with the test's name before output of that test,
# so every other line belongs to the test named last.

BEGIN {
	maxout = 80   # output lines kept per test
	skipout = 5   # output lines shown for a skipped test (its reason)
	tailn = 40    # lines shown from a package that failed without a test
	cur = ""
	passed = 0; failed = 0; skipped = 0
	bran = 0; bfailed = 0
	reset_block()
}

function reset_block() {
	blk_n = 0; blk_fail = 0; panic_n = 0; after_fail = 0; after_n = 0
}

# Remember the package's output: a ring of its last lines, and the first
# lines from a panic on (their head names the cause, their tail does not).
function keep(line) {
	blk_n++
	ring[blk_n % tailn] = line
	if (panic_n == 0 && line ~ /^panic: /) panic_n = 1
	if (panic_n > 0 && panic_n <= tailn) phead[panic_n++] = line
}

# Add a line to the output of the test named last.
function add(line) {
	if (cur == "") return
	if (nout[cur] < maxout) out[cur] = out[cur] line "\n"
	nout[cur]++
}

# Print the kept output of test `name`, at most `limit` lines, indented.
function show(name, indent, limit,    n, i, parts) {
	if (!(name in nout)) return
	n = split(out[name], parts, "\n") - 1
	if (n > limit) n = limit
	for (i = 1; i <= n; i++) print indent parts[i]
	if (nout[name] > n) print indent "... (" nout[name] - n " more lines in the full log)"
	delete out[name]; delete nout[name]
}

function leading_spaces(s) {
	match(s, /^[ \t]*/)
	return substr(s, 1, RLENGTH)
}

# Flush what the previous line printed: when stdout is a pipe or file (CI),
# awk would otherwise hold the digest back until it ends.
{ fflush(); keep($0) }

# Test start, resume, or switch of output between parallel tests.
/^=== (RUN|CONT|NAME|PAUSE) / {
	if ($2 != "PAUSE") cur = $3
	after_fail = 0
	next
}

# A test result, top-level or (indented) a subtest.
/^[ \t]*--- (PASS|FAIL|SKIP): / {
	after_fail = 0
	name = $3
	indent = leading_spaces($0)
	if ($2 == "PASS:") {
		passed++
		if (indent == "") print
		delete out[name]; delete nout[name]
	} else if ($2 == "FAIL:") {
		failed++; blk_fail = 1
		if (name ~ /^Benchmark/) bfailed++
		print
		show(name, indent, maxout)
		# Output that follows the line (a panic, say) is shown too.
		after_fail = 1; after_n = 0; fail_indent = indent
	} else {
		skipped++
		print
		show(name, indent, skipout)
	}
	next
}

# A benchmark's result: its name (with -GOMAXPROCS), the iterations, the
# measures. A benchmark that failed prints no such line.
/^Benchmark[^ \t]*[ \t]+[0-9]+[ \t]/ { bran++; print; next }

# Package result lines.
/^ok[ \t]/ { print; cur = ""; reset_block(); next }
/^FAIL[ \t]+[^ \t]/ {
	if (!blk_fail) {
		print "---- end of output of the failed package ----"
		if (panic_n > 0) {
			for (i = 1; i < panic_n; i++) print "    " phead[i]
		} else {
			first = blk_n - tailn + 1
			if (first < 1) first = 1
			for (i = first; i < blk_n; i++) print "    " ring[i % tailn]
		}
		print "----"
	}
	print
	cur = ""; reset_block(); next
}
/^\?[ \t]/ { print; cur = ""; reset_block(); next }
/^(PASS|FAIL)$/ { after_fail = 0; next }

# Messages of the go command itself (bad pattern, no packages, ...).
/^go: / { print; next }

{
	if (after_fail) {
		if (after_n < maxout) print fail_indent "    " $0
		else if (after_n == maxout) print fail_indent "    ... (more in the full log)"
		after_n++
		next
	}
	add($0)
}

END {
	if (counts != "") print passed, failed, skipped, bran, bfailed > counts
}
