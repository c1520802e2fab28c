#!/usr/bin/env bash
# Imports kelvin-test/busybox:latest from Debian's busybox-static: there is no container registry
# here, so tests run containers from this local image. Idempotent.
set -euo pipefail
IMAGE=kelvin-test/busybox:latest
if docker image inspect "$IMAGE" >/dev/null 2>&1; then exit 0; fi
BUSYBOX=$(dpkg -L busybox-static | grep -m1 -E '/bin/busybox$')
ROOTFS=$(mktemp -d)
trap 'rm -rf "$ROOTFS"' EXIT
mkdir -p "$ROOTFS/bin" "$ROOTFS/tmp"
cp "$BUSYBOX" "$ROOTFS/bin/busybox"
for applet in sh echo sleep cat env yes true false ls wc head kill trap printf seq date; do
  ln -s busybox "$ROOTFS/bin/$applet"
done
tar -C "$ROOTFS" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$IMAGE" >/dev/null
echo "imported $IMAGE from $BUSYBOX"
