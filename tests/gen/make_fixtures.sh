#!/usr/bin/env bash
# Regenerate tests/fixtures/asyncio/<scenario>-py<version>/ (and, with
# --negative, tests/fixtures/negative/) by running every scenario of
# scenarios.py under every installed CPython it supports (pyenv), with
# TZ=UTC so zone-less times are UTC. Each run is checked by check.py (the
# failures Python printed match the recorded truth, no unplanned gaps) and
# run again when the machine disturbed it. The logs are committed: the tests
# never need pyenv.
#
# usage: tests/gen/make_fixtures.sh [-j N] [--negative] [SCENARIO[-pyVER]...]
#   no arguments: every scenario under every version, plus the negatives
#   VERSIONS="3.8.18 3.12.1" limits the interpreters
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$top/tests/fixtures/asyncio
pyroot=${PYENV_ROOT:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")}
VERSIONS=${VERSIONS:-"3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0"}
jobs=1 negative=0 only_negative=0 want=()
while [ $# -gt 0 ]; do
	case $1 in
	-j) jobs=$2; shift ;;
	--negative) negative=1; only_negative=1 ;;
	*) want+=("$1") ;;
	esac
	shift
done
[ ${#want[@]} -eq 0 ] && negative=1

# one SCENARIO VERSION: generate into a temporary folder, neutralize, check,
# then replace the committed folder.
one() {
	local s=$1 v=$2 target=$3 py=$pyroot/versions/$2/bin/python3
	local dest=$out/$s-py$v tmp try rc stdlib gen=scenarios.py
	case $target in neg-*) gen=negative.py; target=${target#neg-}; dest=$top/tests/fixtures/negative/$s ;; esac
	stdlib=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
	for try in 1 2 3 4; do
		tmp=$(mktemp -d)
		if [ "$target" = stderr ]; then
			(cd "$here" && TZ=UTC PYTHONHASHSEED=0 "$py" $gen "$s" "$tmp" 2>"$tmp/app.log")
		else
			(cd "$here" && TZ=UTC PYTHONHASHSEED=0 "$py" $gen "$s" "$tmp" 2>"$tmp/stderr")
		fi
		rc=$?
		if [ -s "$tmp/stderr" ]; then
			echo "$s-py$v: unexpected stderr: $(head -c 400 "$tmp/stderr")"; rc=1
		fi
		rm -f "$tmp/stderr"
		python3 "$here/neutralize.py" "$tmp" "$here/=/srv/app/" \
			"$stdlib/=/usr/lib/python${v%.*}/" || rc=1
		if [ $rc -eq 0 ] || [ $rc -eq 75 ]; then
			if python3 "$here/check.py" "$tmp" >"$tmp.check"; then
				rm -rf "$dest"; mkdir -p "$(dirname "$dest")"; mv "$tmp" "$dest"; chmod 755 "$dest"
				rm -f "$tmp.check"
				echo "ok   ${dest#$top/tests/fixtures/} (try $try)"
				return 0
			fi
			sed "s|^$tmp|$s-py$v|" "$tmp.check"; rm -f "$tmp.check"
		else
			echo "$s-py$v: exit $rc"
		fi
		rm -rf "$tmp"
	done
	echo "FAILED $s-py$v"
	return 1
}

fail=0
list=$(cd "$here" && python3 scenarios.py --list)
[ $only_negative -eq 1 ] && [ ${#want[@]} -eq 0 ] && list=
while read -r s first target only; do
	[ -n "$s" ] || continue
	for v in $VERSIONS; do
		[ -x "$pyroot/versions/$v/bin/python3" ] || { echo "skip $s-py$v: no interpreter"; continue; }
		# version >= first?
		python3 -c "import sys; sys.exit(tuple(map(int,'$v'.split('.')[:2])) < tuple(map(int,'$first'.split('.'))))" || continue
		case ",$only," in ,all,|*,"${v%.*}",*) ;; *) continue ;; esac
		if [ ${#want[@]} -gt 0 ]; then
			m=0; for w in "${want[@]}"; do [ "$w" = "$s" ] || [ "$w" = "$s-py$v" ] && m=1; done
			[ $m -eq 1 ] || continue
		fi
		if [ "$jobs" -gt 1 ]; then
			while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
			one "$s" "$v" "$target" &
		else
			one "$s" "$v" "$target" || fail=1
		fi
	done
done <<<"$list"
wait
if [ $negative -eq 1 ]; then	# real output of one Python (3.12.1, else the newest)
	nv=3.12.1
	[ -x "$pyroot/versions/$nv/bin/python3" ] || nv=$(ls "$pyroot/versions" | sort -V | tail -1)
	for s in $(cd "$here" && python3 negative.py --list); do
		one "$s" "$nv" neg-file || fail=1
	done
fi
du -sh "$top/tests/fixtures" 2>/dev/null
exit $fail
