#!/usr/bin/env bash
# The installed package from a program outside the tree: `cmake --install BUILD --prefix P` into a
# fresh prefix, then examples/consumer built against P twice, with find_package(descent) and with
# pkg-config, and run (it trains a small network and fails unless the loss fell).
# Usage: package_consumer.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
prefix="$dir/prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
for f in lib/libdescent.a include/descent/optim/adam.h include/descent/nn/network_spec.h \
  bin/descent lib/cmake/descent/descentConfig.cmake lib/cmake/descent/descentConfigVersion.cmake \
  lib/cmake/descent/descentTargets.cmake lib/pkgconfig/descent.pc; do
  [ -e "$prefix/$f" ] || { echo "not installed: $f"; exit 1; }
done
# The library is exported, the program is not.
grep -q "add_library(descent::descent STATIC IMPORTED)" "$prefix/lib/cmake/descent/descentTargets.cmake" ||
  { echo "descent::descent is not exported"; exit 1; }
if grep -q "add_executable" "$prefix/lib/cmake/descent/descentTargets.cmake"; then
  echo "the descent program is exported as a target"
  exit 1
fi
"$prefix/bin/descent" --version

echo "find_package(descent):"
cmake -S "$source/examples/consumer" -B "$dir/cmake-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$dir/cmake-build" >/dev/null
"$dir/cmake-build/consumer"

echo "pkg-config:"
flags=$(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs descent)
c++ -std=c++20 -O1 "$source/examples/consumer/main.cpp" $flags -o "$dir/consumer-pc"
"$dir/consumer-pc"
