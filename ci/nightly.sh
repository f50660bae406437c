#!/usr/bin/env bash
# puppet-ci nightly job: `puppet-ci nightly` on the deploy branch. The base images are
# rebuilt from today's package repositories, the container stages run in them, and what
# drifted since the last good night is reported (docs/nightly.md). Run it from cron, the
# systemd timer in ci/systemd/, or a scheduled CI job, e.g.
#   15 2 * * *  deploy  /srv/control-repo/ci/nightly.sh /srv/control-repo
#
#   nightly.sh [REPO [REPORTS]]
#
# REPO (default: the current folder; relative paths work) is a clone of the control repo
# that the job may check out. Reports go to REPORTS, else $PUPPET_CI_REPORTS, else a dated
# folder under ${XDG_STATE_HOME:-~/.local/state}/puppet-ci: never into the work tree,
# which the checkout would overwrite and `git status` would show. The history of nights
# (what drift is measured against) is kept in $PUPPET_CI_HISTORY, else
# ${XDG_STATE_HOME:-~/.local/state}/puppet-ci/history/REPO-NAME. PUPPET_CI_BRANCH names the
# branch (default production), PUPPET_CI_PRUNE=no keeps other repos' images.
#
# Exit codes, for the scheduler: 0 green and no drift, 1 a failed check or rebuild,
# 2 the night could not run, 3 green with drift (nightly.drift_exit_code in puppet-ci.yaml).
set -euo pipefail

repo=$(cd "${1:-.}" && pwd)
state=${XDG_STATE_HOME:-$HOME/.local/state}/puppet-ci
reports=${2:-${PUPPET_CI_REPORTS:-$state/nightly-$(date +%F)}}
history=${PUPPET_CI_HISTORY:-$state/history/$(basename "$repo")}
branch=${PUPPET_CI_BRANCH:-production}
mkdir -p "$reports" "$history"
reports=$(cd "$reports" && pwd)
cd "$repo"

git fetch --quiet origin
git checkout --quiet --detach "origin/$branch"

status=0
puppet-ci nightly --history "$history" --json "$reports/nightly.json" --junit "$reports/nightly.xml" \
    --html "$reports/nightly.html" > "$reports/nightly.txt" 2> "$reports/nightly.log" || status=$?
cat "$reports/nightly.txt"
case "$status" in
    0) echo "puppet-ci nightly: green on $branch, nothing drifted (reports in $reports)" >&2 ;;
    3) echo "puppet-ci nightly: green on $branch, with drift (reports in $reports)" >&2 ;;
    1) echo "puppet-ci nightly: FAILED on $branch (reports in $reports)" >&2 ;;
    *)
        # The night could not run (no Docker engine, a broken configuration, interrupted):
        # puppet-ci wrote no report, so this job writes one a CI system can show.
        tail=$(tail -n 20 "$reports/nightly.log" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g')
        cat > "$reports/nightly.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="puppet-ci nightly" tests="1" failures="0" errors="1">
  <testsuite name="nightly" tests="1" failures="0" errors="1">
    <testcase classname="nightly" name="run the night">
      <error message="puppet-ci nightly exited $status">$tail</error>
    </testcase>
  </testsuite>
</testsuites>
XML
        echo "puppet-ci nightly: FAILED on $branch: the night could not run (exit $status); reports in $reports" >&2
        tail -n 5 "$reports/nightly.log" >&2
        ;;
esac

# The release the night checked is reproducible: its id is what a deploy would ship.
if [ "$status" -eq 0 ] || [ "$status" -eq 3 ]; then
    puppet-ci package --ref "origin/$branch" --output "$reports" > "$reports/release.txt" || status=1
fi
# Images no role of this control repo uses are removed, unless the Docker engine serves
# other control repos too (PUPPET_CI_PRUNE=no): their images are not this repo's to remove.
if [ "${PUPPET_CI_PRUNE:-yes}" != no ]; then
    puppet-ci image prune > /dev/null || true
fi
exit "$status"
