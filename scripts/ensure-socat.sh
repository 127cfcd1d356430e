#!/bin/sh
# The serial tests connect host and virtual board through a PTY pair made by socat.
# Install it quietly if it is missing; if that fails, those tests skip and say why.
command -v socat >/dev/null 2>&1 && exit 0
command -v apt-get >/dev/null 2>&1 || { echo "ensure-socat: socat missing and no apt-get; serial PTY tests will be skipped" >&2; exit 0; }
SUDO=""
[ "$(id -u)" = "0" ] || SUDO="sudo -n"
if ! $SUDO apt-get install -y -qq socat >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null 2>&1 && $SUDO apt-get install -y -qq socat >/dev/null 2>&1
fi
command -v socat >/dev/null 2>&1 || echo "ensure-socat: could not install socat; serial PTY tests will be skipped" >&2
exit 0
