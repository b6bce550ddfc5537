#!/usr/bin/env bash
# check-style.sh - the few house rules a machine can check (docs: STYLE.md).
#
# Fails, listing file:line, when a .c/.h file under src/ include/ tests/ bench/
#   - calls sprintf, vsprintf, strcpy, strcat, atoi or gets (unbounded or
#     unchecked; use snprintf, memcpy with a checked length, strtol/strtoul);
#   - writes `x = realloc(x, ...)` (leaks x when realloc fails);
# or when a .c/.h file under src/ or include/ does not open with a block
# comment (`/*` on line 1) saying what it does and where it sits.
#
# Comments and string literals are blanked before matching, so prose such as
# "never use sprintf()" in a comment does not trip the check.  Run from
# anywhere; it checks the repository it lives in.  Also registered as the
# ctest test `style`.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

dirs=()
for d in src include tests bench; do
	[[ -d $d ]] && dirs+=("$d")
done
if ((${#dirs[@]} == 0)); then
	echo "style: no source directories"
	exit 0
fi

# Fuzz corpora and regressions hold raw inputs, not our code.
mapfile -d '' files < <(find "${dirs[@]}" \
	\( -path tests/fuzz/corpus -o -path tests/fuzz/regressions \
	-o -path tests/fuzz/corpus-work -o -path bench/out \) -prune \
	-o -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z)
if ((${#files[@]} == 0)); then
	echo "style: ok (no C files yet)"
	exit 0
fi

status=0
perl -e '
use strict;
use warnings;
my $bad = 0;
for my $f (@ARGV) {
	open(my $fh, "<", $f) or do { print "$f:0: cannot read: $!\n"; $bad++; next };
	local $/;
	my $text = <$fh>;
	close $fh;
	$text = "" unless defined $text;

	if ($f =~ m{^(src|include)/}) {
		my ($first) = split /\n/, $text, 2;
		$first = "" unless defined $first;
		if ($first !~ m{^/\*}) {
			print "$f:1: file must open with a block comment (/* on line 1)\n";
			$bad++;
		}
	}

	# Blank comments, string and character literals, keeping newlines so
	# line numbers stay right.
	$text =~ s{
		(/\*.*?\*/) | (//[^\n]*) | ("(?:\\.|[^"\\\n])*") | (\x27(?:\\.|[^\x27\\\n])*\x27)
	}{
		my $m = $&; $m =~ s/[^\n]/ /g; $m
	}gsex;

	my @lines = split /\n/, $text, -1;
	for my $i (0 .. $#lines) {
		my $l = $lines[$i];
		my $n = $i + 1;
		while ($l =~ /(?<![\w.>])(sprintf|vsprintf|strcpy|strcat|atoi|gets)\s*\(/g) {
			print "$f:$n: banned function $1()\n";
			$bad++;
		}
		if ($l =~ /(?<![\w.>])([A-Za-z_]\w*(?:\s*(?:->|\.)\s*\w+|\s*\[[^\]]*\])*)\s*=\s*(?:\([^()]*\)\s*)?realloc\s*\(\s*(.*?)\s*,/) {
			my ($lhs, $arg) = ($1, $2);
			(my $l1 = $lhs) =~ s/\s+//g;
			(my $a1 = $arg) =~ s/\s+//g;
			if ($l1 eq $a1) {
				print "$f:$n: $lhs = realloc($lhs, ...) loses the block on failure; use a temporary\n";
				$bad++;
			}
		}
	}
}
if ($bad) {
	print "style: $bad problem(s)\n";
	exit 1;
}
' -- "${files[@]}" || status=$?

if ((status == 0)); then
	echo "style: ok (${#files[@]} files)"
fi
exit "$status"
