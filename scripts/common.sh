# Shared by scripts/run and scripts/test: install what the build needs, then configure and build.
# Installs Debian packages with apt-get when they are missing (needs root, as on a fresh Debian 12).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${SPINDLE_BUILD_DIR:-$ROOT/build}"
# SPINDLE_SANITIZE=1: an AddressSanitizer + UndefinedBehaviorSanitizer build in a directory of its own.
SANITIZE="${SPINDLE_SANITIZE:-0}"
if [ "$SANITIZE" = 1 ]; then
    BUILD_DIR="$BUILD_DIR-asan"
fi

DEBIAN_PACKAGES=(
    g++ cmake ninja-build pkg-config
    qt6-base-dev qt6-base-dev-tools
    libsqlite3-dev sqlite3 libcpp-httplib-dev rapidjson-dev
    libssl-dev zlib1g-dev libbrotli-dev
    qtkeychain-qt6-dev qt6-charts-dev fonts-dejavu-core
    # The feedback bar's reaction buttons are emoji: without a colour-emoji font they draw as boxes.
    fonts-noto-color-emoji
    # Qt6Charts' CMake package needs Qt6OpenGL's, which qt6-base-dev only recommends.
    libqt6opengl6-dev
)

install_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return
    fi
    echo "Installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
}

build_spindle() {
    install_packages "${DEBIAN_PACKAGES[@]}"
    local options=(-DCMAKE_BUILD_TYPE="${SPINDLE_BUILD_TYPE:-RelWithDebInfo}")
    if [ "$SANITIZE" = 1 ]; then
        local flags="-fsanitize=address,undefined"
        options=(-DCMAKE_BUILD_TYPE=Debug -DSPINDLE_BUILD_BENCH=OFF
            "-DCMAKE_CXX_FLAGS=-O1 -g -fno-omit-frame-pointer $flags"
            "-DCMAKE_EXE_LINKER_FLAGS=$flags" "-DCMAKE_SHARED_LINKER_FLAGS=$flags")
    fi
    cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja "${options[@]}"
    cmake --build "$BUILD_DIR" --parallel "$(nproc)"
}
