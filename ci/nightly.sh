#!/usr/bin/env bash
# puppet-ci nightly job: the slow stages (containers, integration) on the deploy branch,
# with base images rebuilt from today's packages, so a change outside the repo (a Debian
# update, a new Forge module in the cache) is found before the next deploy. Scheduled by
# the systemd timer in ci/systemd/ (install steps in its service file), by the GitHub
# workflow's `schedule:` or the Jenkinsfile's cron trigger; from cron it would be
#   15 2 * * *  deploy  /srv/control-repo/ci/nightly.sh /srv/control-repo
#
#   nightly.sh [REPO [REPORTS]]
#
# REPO (default: the current folder; relative paths work) is a clone of the control repo
# that the job may check out. Reports go to REPORTS, else $PUPPET_CI_REPORTS, else a dated
# folder under ${XDG_STATE_HOME:-~/.local/state}/puppet-ci: never into the work tree,
# which the checkout would overwrite and `git status` would show. PUPPET_CI_BRANCH names
# the branch (default production), PUPPET_CI_PRUNE=no keeps other repos' images.
set -euo pipefail

repo=$(cd "${1:-.}" && pwd)
reports=${2:-${PUPPET_CI_REPORTS:-${XDG_STATE_HOME:-$HOME/.local/state}/puppet-ci/nightly-$(date +%F)}}
branch=${PUPPET_CI_BRANCH:-production}
mkdir -p "$reports"
reports=$(cd "$reports" && pwd)
cd "$repo"

git fetch --quiet origin
git checkout --quiet --detach "origin/$branch"

# Rebuild the base images for real (not reused), so the night sees today's packages.
# A failed build is the night's result: said, and reported like a failed stage.
status=0
puppet-ci image build --rebuild > "$reports/image-build.txt" 2> "$reports/image-build.log" || status=$?
if [ "$status" -ne 0 ]; then
    tail=$(tail -n 20 "$reports/image-build.log" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g')
    cat > "$reports/image-build.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="puppet-ci nightly" tests="1" failures="0" errors="1">
  <testsuite name="image build" tests="1" failures="0" errors="1">
    <testcase classname="image build" name="rebuild the base images">
      <error message="puppet-ci image build --rebuild exited $status">$tail</error>
    </testcase>
  </testsuite>
</testsuites>
EOF
    echo "puppet-ci nightly: FAILED on $branch: the base images did not build (exit $status); reports in $reports" >&2
    tail -n 5 "$reports/image-build.log" >&2
    exit "$status"
fi

puppet-ci all --junit "$reports/all.xml" --json "$reports/all.json" || status=$?
# The release the night checked is reproducible: its id is what a deploy would ship.
puppet-ci package --ref "origin/$branch" --output "$reports" > "$reports/release.txt" || status=$?
# Images no role of this control repo uses are removed, unless the Docker engine serves
# other control repos too (PUPPET_CI_PRUNE=no): their images are not this repo's to remove.
if [ "${PUPPET_CI_PRUNE:-yes}" != no ]; then
    puppet-ci image prune || true
fi

if [ "$status" -ne 0 ]; then
    echo "puppet-ci nightly: FAILED on $branch (reports in $reports)" >&2
else
    echo "puppet-ci nightly: passed on $branch (reports in $reports)" >&2
fi
exit "$status"
