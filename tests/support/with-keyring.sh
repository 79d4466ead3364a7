#!/bin/sh
# Runs a test inside its own D-Bus session with a new, unlocked gnome-keyring Secret Service, so
# the OS keychain code (QtKeychain) is exercised for real, as on a desktop. The keyring files go
# to a temporary data directory, never the user's. Use: dbus-run-session -- sh with-keyring.sh
# <test binary> [args]
data="$(mktemp -d)" || exit 1
trap 'rm -rf "$data"' EXIT
export XDG_DATA_HOME="$data"
printf 'spindle-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
# The daemon answers before its "login" collection exists: a test that wrote at once failed about
# one run in ten with "Object does not exist at path .../collection/login". Wait for it (5 s at most).
tries=0
until dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets/collection/login org.freedesktop.DBus.Properties.Get \
    string:org.freedesktop.Secret.Collection string:Locked >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 50 ]; then
        echo "with-keyring.sh: no login collection after 5 s; running the test anyway" >&2
        break
    fi
    sleep 0.1
done
"$@"
