#!/usr/bin/env bash
# The recipe `puppet-ci image build` follows, as a script you can read and run by hand:
# a Debian root filesystem made by mmdebstrap from this host's apt sources (security
# updates included), imported into the Docker engine without any registry.
#
#   ci/image/build-rootfs.sh TAG SUITE [PACKAGE...]
#   ci/image/build-rootfs.sh my-base:bookworm bookworm apache2 supervisor
#
# puppet-ci itself tags images puppet-ci-base:<suite>-<key>, the key a hash of the recipe
# version, the suite and the package list, and reuses an image whose key matches.
set -euo pipefail
tag=${1:?usage: build-rootfs.sh TAG SUITE [PACKAGE...]}
suite=${2:?usage: build-rootfs.sh TAG SUITE [PACKAGE...]}
shift 2

# What every image holds: Puppet, sysv-rc (Puppet's `debian` service provider needs
# update-rc.d: there is no systemd in a container), and the tools the checks run.
base_packages=(puppet sysv-rc procps iproute2 curl netbase)
include=$(printf '%s\n' "${base_packages[@]}" "$@" | sort -u | paste -sd, -)

# The host's deb sources for the suite and its pockets (-updates, -security): the only
# mirrors a CI host without internet reaches. deb822 first, then one-line lists.
sources=()
while IFS= read -r line; do sources+=("$line"); done < <(
  python3 - "$suite" <<'PY'
import glob, sys
suite = sys.argv[1]
def wanted(s): return s == suite or s.startswith(suite + "-")
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for stanza in open(path).read().split("\n\n"):
        fields = {}
        for line in stanza.splitlines():
            if ":" in line and not line.startswith(("#", " ")):
                key, value = line.split(":", 1)
                fields[key.strip().lower()] = value.strip()
        if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes").lower() == "no":
            continue
        opts = f"[signed-by={fields['signed-by']}] " if fields.get("signed-by", "").startswith("/") else ""
        for uri in fields.get("uris", "").split():
            for s in fields.get("suites", "").split():
                if wanted(s):
                    print(f"deb {opts}{uri} {s} {fields.get('components', 'main')}")
for path in ["/etc/apt/sources.list"] + sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
    try:
        lines = open(path).read().splitlines()
    except OSError:
        continue
    for line in lines:
        words = line.split("#")[0].split()
        if words[:1] != ["deb"]:
            continue
        words = [w for w in words[1:] if not w.startswith("[") and not w.endswith("]")]
        if len(words) >= 2 and wanted(words[1]):
            print("deb " + " ".join(words))
PY
)
if ((${#sources[@]} == 0)); then
  echo "build-rootfs.sh: no apt source for $suite in /etc/apt/sources.list*" >&2
  exit 2
fi

tarball=$(mktemp --suffix=.tar)
trap 'rm -f "$tarball"' EXIT
mmdebstrap --variant=minbase --mode=auto --include="$include" \
  --aptopt='Acquire::Retries "3"' \
  --dpkgopt='path-exclude=/usr/share/doc/*' \
  --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' \
  "$suite" "$tarball" "${sources[@]}"

# POST /images/create?fromSrc=- : no registry involved.
docker import \
  --change 'LABEL puppet-ci.image=manual' \
  --change 'CMD ["sleep", "infinity"]' \
  "$tarball" "$tag"
