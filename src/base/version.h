// The shopbox version: the binary's --version, `serve`'s first line, and
// the manifest of every backup (restore reads it). Keep it equal to
// project(VERSION) in CMakeLists.txt, which names the packages.
#pragma once

namespace shopbox {
inline constexpr const char* kVersion = "0.1.0";
}  // namespace shopbox
