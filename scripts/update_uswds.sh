#!/usr/bin/env bash
# Vendor the U.S. Web Design System (USWDS 3, public domain) at a pinned version.
#
#   scripts/update_uswds.sh 3.14.0
#
# Fetches the package with `npm pack @uswds/uswds@<version>` from the npm registry (Node and npm
# are needed for this step only; the portal itself never runs Node), then copies into
# static/vendor/uswds/<version>/:
#   - css/uswds.min.css, the compiled stylesheet, unchanged except its last line: the
#     `sourceMappingURL` comment is dropped (the 1.3 MB map is not vendored, and Django's
#     manifest storage would refuse a CSS file that names a missing file);
#   - every font and image that stylesheet names with url(...) (only .woff2 fonts: the
#     minified CSS names no other format), so collectstatic's manifest finds them all;
#   - the banner's images the templates use (us_flag_small.png, icon-dot-gov.svg,
#     icon-https.svg, lock.svg);
#   - LICENSE.md, and VERSION.txt with the tarball's sha512 integrity and each file's sha256.
# Then it points the portal at the new version (USWDS_VERSION in medimedi/context_processors.py)
# and removes other vendored versions. Nothing else is changed: review `git diff` and run
# tests/browser.
set -euo pipefail
cd "$(dirname "$0")/.."

version="${1:?usage: scripts/update_uswds.sh <version, e.g. 3.14.0>}"
[[ "$version" =~ ^3\.[0-9]+\.[0-9]+$ ]] || { echo "expected a USWDS 3 version like 3.14.0" >&2; exit 2; }
command -v npm >/dev/null || { echo "npm is needed to fetch the package" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@uswds/uswds@$version" >/dev/null)
tarball="$(ls "$work"/*.tgz)"
tar -xzf "$tarball" -C "$work"
dist="$work/package/dist"
found="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$work/package/package.json" | head -1)"
[ "$found" = "$version" ] || { echo "npm gave version $found, not $version" >&2; exit 1; }

dest="static/vendor/uswds/$version"
rm -rf "$dest"
mkdir -p "$dest/css"
sed '/^\/\*# sourceMappingURL=.*\*\/$/d' "$dist/css/uswds.min.css" > "$dest/css/uswds.min.css"

# Every url(...) of the stylesheet, relative to css/ ("../fonts/...", "../img/...").
grep -o 'url([^)]*)' "$dest/css/uswds.min.css" | sed 's/^url(//; s/)$//; s/^["'\'']//; s/["'\'']$//' \
  | grep -v -e '^data:' -e '^$' | sort -u > "$work/urls.txt"
while read -r url; do
  relative="${url#../}"
  mkdir -p "$dest/$(dirname "$relative")"
  cp "$dist/$relative" "$dest/$relative"
done < "$work/urls.txt"

for image in us_flag_small.png icon-dot-gov.svg icon-https.svg lock.svg; do
  mkdir -p "$dest/img"
  cp "$dist/img/$image" "$dest/img/$image"
done
cp "$work/package/LICENSE.md" "$dest/LICENSE.md"

integrity="$(cd "$work" && npm view --silent "@uswds/uswds@$version" dist.integrity 2>/dev/null || true)"
{
  echo "@uswds/uswds $version, from the npm registry (npm pack @uswds/uswds@$version)"
  echo "tarball integrity: ${integrity:-unknown}"
  echo "tarball sha256: $(sha256sum "$tarball" | cut -d' ' -f1)"
  echo "css/uswds.min.css: dist/css/uswds.min.css without its sourceMappingURL line"
  echo
  echo "sha256 of each vendored file:"
  (cd "$dest" && find . -type f ! -name VERSION.txt | sort | xargs sha256sum)
} > "$dest/VERSION.txt"

# Point the portal at this version and drop the others.
sed -i "s/^USWDS_VERSION = \".*\"/USWDS_VERSION = \"$version\"/" medimedi/context_processors.py
for other in static/vendor/uswds/*/; do
  [ "$other" = "$dest/" ] || rm -rf "$other"
done
echo "USWDS $version vendored in $dest ($(du -sh "$dest" | cut -f1)); USWDS_VERSION updated."
