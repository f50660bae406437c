#!/usr/bin/env bash
# puppet-ci nightly job: the slow stages (containers, integration) on the deploy branch,
# with fresh base images, so a change outside the repo (a Debian update, a new Forge module
# in the cache) is found before the next deploy. Run from cron or a scheduled CI job, e.g.
#   15 2 * * *  deploy  /srv/control-repo/ci/nightly.sh /srv/control-repo
set -euo pipefail

repo=${1:-.}
reports=${PUPPET_CI_REPORTS:-$repo/reports/nightly-$(date +%F)}
branch=${PUPPET_CI_BRANCH:-production}
mkdir -p "$reports"
cd "$repo"

git fetch --quiet origin
git checkout --quiet --detach "origin/$branch"

# Rebuild the base images so the night sees today's packages, then every stage.
puppet-ci image build
status=0
puppet-ci all --junit "$reports/all.xml" --json "$reports/all.json" || status=$?
# The release the night checked is reproducible: its id is what a deploy would ship.
puppet-ci package --ref "origin/$branch" --output "$reports" > "$reports/release.txt" || status=$?
puppet-ci image prune || true

if [ "$status" -ne 0 ]; then
    echo "puppet-ci nightly: FAILED on $branch (reports in $reports)" >&2
fi
exit "$status"
