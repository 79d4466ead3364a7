#!/bin/sh
# Runs a test inside its own D-Bus session with a new, unlocked gnome-keyring Secret Service, so
# the OS keychain code (QtKeychain) is exercised for real, as on a desktop. The keyring files go
# to a temporary data directory, never the user's. Use: dbus-run-session -- sh with-keyring.sh
# <test binary> [args]
data="$(mktemp -d)" || exit 1
trap 'rm -rf "$data"' EXIT
export XDG_DATA_HOME="$data"
printf 'spindle-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
"$@"
