#!/bin/sh
# make deb: build/aiosift_VERSION_amd64.deb with dpkg-deb from this
# folder's metadata (control, changelog, copyright) and `make install
# DESTDIR=... PREFIX=/usr`. Run from the top of the tree after the build.
set -eu
top=$(pwd)
# The staging tree is not under build/: the Makefile includes every *.d
# there, and vendor_completions.d is a folder.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/root
version=$(dpkg-parsechangelog -l debian/changelog -S Version)
mkdir -p "$stage/DEBIAN"
make -s --no-print-directory install DESTDIR="$stage" PREFIX=/usr \
    ZSHCOMPDIR=/usr/share/zsh/vendor-completions
strip --strip-unneeded --remove-section=.comment --remove-section=.note \
    "$stage/usr/bin/aiosift"
gzip -9n "$stage"/usr/share/man/man*/*
doc=$stage/usr/share/doc/aiosift
install -d "$doc"
install -m 644 debian/copyright "$doc/copyright"
gzip -9nc debian/changelog >"$doc/changelog.Debian.gz"
install -d "$stage/usr/share/lintian/overrides"
install -m 644 debian/lintian-overrides \
    "$stage/usr/share/lintian/overrides/aiosift"
chmod 644 "$doc/changelog.Debian.gz"
cd "$work"
mkdir -p debian
cp "$top/debian/control" "$top/debian/changelog" debian/
dpkg-shlibdeps -Tdebian/substvars "$stage/usr/bin/aiosift" 2>/dev/null
dpkg-gencontrol -paiosift -Pstage_unused -Tdebian/substvars \
    -O >"$stage/DEBIAN/control"
(cd "$stage" && find usr -type f -exec md5sum {} + | sort -k2) \
    >"$stage/DEBIAN/md5sums"
chmod 644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums"
find "$stage" -type d -exec chmod 755 {} +
dpkg-deb --root-owner-group -Zxz --build "$stage" \
    "$top/build/aiosift_${version}_amd64.deb" >/dev/null
echo "build/aiosift_${version}_amd64.deb"
