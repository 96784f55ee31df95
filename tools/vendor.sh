#!/usr/bin/env bash
# vendor/ rebuilt from the released crates and our patches: each line of patches/crates.txt names a crate,
# its version and the sha256 of its .crate file on crates.io; patches/NAME-VERSION.patch is our change to it.
#   bash tools/vendor.sh            rebuild vendor/ (after editing a patch, or to move to a new release)
#   bash tools/vendor.sh --check    rebuild into a temporary folder and fail if vendor/ differs from it
#   bash tools/vendor.sh --diff     write patches/NAME-VERSION.patch anew from what vendor/ holds now
# The .crate files are cached in ${GAPO_CRATE_CACHE:-$HOME/.cache/gapo-crates}. Packaging files that cargo
# adds to a published crate (.cargo_vcs_info.json, .cargo-ok, Cargo.lock, Cargo.toml.orig) are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-build}"
cache="${GAPO_CRATE_CACHE:-$HOME/.cache/gapo-crates}"
mkdir -p "$cache"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The released source of crate $1 version $2 (checked against sha256 $3), unpacked into $4.
released() {
  local name=$1 version=$2 sum=$3 into=$4 file="$cache/$1-$2.crate"
  if [ ! -f "$file" ]; then
    curl -sSfL "https://static.crates.io/crates/$name/$name-$version.crate" -o "$file.part"
    mv "$file.part" "$file"
  fi
  echo "$sum  $file" | sha256sum -c --quiet - || { echo "$file: sha256 differs from patches/crates.txt"; exit 1; }
  mkdir -p "$into"
  tar -xzf "$file" -C "$into" --strip-components=1
  rm -f "$into/.cargo_vcs_info.json" "$into/.cargo-ok" "$into/Cargo.lock" "$into/Cargo.toml.orig"
}

status=0
while read -r name version sum; do
  case "$name" in ''|'#'*) continue ;; esac
  patch_file="patches/$name-$version.patch"
  released "$name" "$version" "$sum" "$work/released/$name"
  case "$mode" in
    --diff)
      # Paths as a/… and b/… without timestamps, so that a patch changes only where the code does.
      rm -rf "$work/d" && mkdir -p "$work/d"
      cp -r "$work/released/$name" "$work/d/a"
      cp -r "vendor/$name" "$work/d/b"
      (cd "$work/d" && diff -ruN a b || true) | sed -E 's/^((---|\+\+\+) [^\t]*)\t.*/\1/' > "$patch_file"
      echo "$patch_file: $(grep -c '^diff ' "$patch_file") files"
      ;;
    build | --check)
      out="$work/vendor/$name"
      mkdir -p "$work/vendor"
      cp -r "$work/released/$name" "$out"
      patch -s -p1 -E -d "$out" --no-backup-if-mismatch < "$patch_file"
      find "$out" -type d -empty -delete  # a patch deletes files, not the folders they leave empty
      if [ "$mode" = --check ]; then
        if ! diff -r "$out" "vendor/$name" > "$work/$name.diff"; then
          echo "vendor/$name differs from $name $version with $patch_file:"
          head -n 40 "$work/$name.diff"
          status=1
        fi
      else
        rm -rf "vendor/$name"
        cp -r "$out" "vendor/$name"
        echo "vendor/$name: $name $version with $patch_file"
      fi
      ;;
    *) echo "unknown option $mode (expected --check or --diff)"; exit 2 ;;
  esac
done < patches/crates.txt

if [ "$mode" = --check ]; then
  listed=$(grep -v '^#' patches/crates.txt | awk 'NF {print $1}' | sort)
  present=$(ls vendor | sort)
  if [ "$listed" != "$present" ]; then
    echo "vendor/ holds: $present"; echo "patches/crates.txt lists: $listed"; status=1
  fi
  [ $status = 0 ] && echo "vendor/ is the released crates with patches/*.patch applied"
fi
exit $status
