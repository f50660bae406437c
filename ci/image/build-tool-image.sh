#!/usr/bin/env bash
# The container image of puppet-ci itself, for runners that prefer images, built the way
# the base images are (build-rootfs.sh): a Debian root filesystem made by mmdebstrap from
# this host's apt sources, with the puppet-ci .deb installed in it, imported into the
# Docker engine without any registry. The root filesystem tarball is kept, so the image
# can be shipped as a file and imported anywhere (`docker import`).
#
#   ci/image/build-tool-image.sh TAG DEB TARBALL
#   ci/image/build-tool-image.sh puppet-ci:0.1.0 target/artifacts/0.1.0/puppet-ci_0.1.0-1_amd64.deb target/artifacts/0.1.0/puppet-ci-0.1.0-image.tar
#
# Run it with the host's Docker socket mounted, so that the stages' containers are the
# host's siblings (docs/install.md):
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/src" -w /src TAG all
set -euo pipefail
tag=${1:?usage: build-tool-image.sh TAG DEB TARBALL}
deb=${2:?usage: build-tool-image.sh TAG DEB TARBALL}
tarball=${3:?usage: build-tool-image.sh TAG DEB TARBALL}
suite=${PUPPET_CI_IMAGE_SUITE:-bookworm}
deb=$(realpath "$deb")

# The host's deb sources for the suite, as build-rootfs.sh finds them (apt-get's own view).
# shellcheck disable=SC2016 # apt-get's own $(FIELD) placeholders, not the shell's
mapfile -t sources < <(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Created-By: Packages' 2>/dev/null \
  | awk -v suite="$suite" '$2 == suite || index($2, suite "-") == 1 { print "deb " $1 " " $2 " " $3 }' | sort -u)
if ((${#sources[@]} == 0)); then
  echo "build-tool-image.sh: no apt source for $suite on this host (apt-get indextargets lists none; run apt-get update?)" >&2
  exit 2
fi

# git: `puppet-ci package` and deploys; mmdebstrap: base images for the container stages,
# built inside the container and imported into the engine behind the socket (the host's),
# where images built before are reused.
# The .deb is copied into the new root and installed there by dpkg (apt in the chroot
# cannot see a path outside it).
# shellcheck disable=SC2016 # "$1" is the hook's argument (the new root), for mmdebstrap's shell
mmdebstrap --variant=minbase --mode=auto \
  --include="ca-certificates,git,mmdebstrap" \
  --aptopt='Acquire::Retries "3"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-include=/usr/share/doc/puppet-ci/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook="copy-in $deb /tmp" \
  --customize-hook='chroot "$1" sh -c "dpkg -i /tmp/puppet-ci_*.deb && rm /tmp/puppet-ci_*.deb"' \
  --customize-hook='mkdir -p "$1/src"' \
  "$suite" "$tarball" "${sources[@]}"

# POST /images/create?fromSrc=- : no registry involved.
docker import \
  --change 'LABEL puppet-ci.image=tool' \
  --change 'WORKDIR /src' \
  --change 'ENTRYPOINT ["puppet-ci"]' \
  --change 'CMD ["--help"]' \
  "$tarball" "$tag"
