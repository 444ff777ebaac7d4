#!/usr/bin/env bash
# Fails when a package imports a project package outside its row of DESIGN.md's table:
#
#   fleet       -> (none)            store      -> fleet, migrations
#   migrations  -> (none)            ingest     -> fleet
#   tools       -> fleet             bot        -> fleet, tools
#   schedule    -> fleet             main (.)   -> everything
#   server      -> (none)
#
# A package may always import its own subpackages (store/seed -> store). Only non-test imports
# count: tests may use store and store/storetest to reach real Postgres and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=$(go list -m)

allowed() { # top-level dir of the importer -> allowed top-level dirs of imports
	case "$1" in
	fleet | migrations | server) echo "" ;;
	store) echo "fleet migrations" ;;
	ingest | tools | schedule) echo "fleet" ;;
	bot) echo "fleet tools" ;;
	*) echo "*" ;;
	esac
}

bad=0
while read -r pkg imports; do
	rel=${pkg#"$mod"}
	rel=${rel#/}
	top=${rel%%/*}
	[ -z "$rel" ] && continue # main may import everything
	ok=$(allowed "$top")
	[ "$ok" = "*" ] && continue
	for imp in $imports; do
		case "$imp" in "$mod"/*) ;; *) continue ;; esac
		irel=${imp#"$mod"/}
		itop=${irel%%/*}
		[ "$itop" = "$top" ] && continue
		if [[ " $ok " != *" $itop "* ]]; then
			echo "check-deps: $rel imports $irel, outside its row (${top} may import: ${ok:-nothing})"
			bad=1
		fi
	done
done < <(go list -f '{{.ImportPath}} {{join .Imports " "}}' ./...)
[ "$bad" = 0 ] && echo "check-deps: every package imports within its row"
exit "$bad"
