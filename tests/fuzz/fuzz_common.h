// Shared helpers of the fuzz targets (tests/fuzz/README.md).
//
// Every target defines LLVMFuzzerTestOneInput (and optionally
// LLVMFuzzerInitialize). Built with SHOPBOX_FUZZ=ON (clang) they link
// libFuzzer; in every other build they link replay_main.cpp, which runs the
// seed corpus and the regression inputs once as a CTest entry.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

// A finding: print what was wrong and abort, so libFuzzer saves the input
// (and a replay run fails).
[[noreturn]] inline void fuzz_fail(const std::string& what) {
  std::string shown;  // printable: NULs and other bytes escaped
  for (unsigned char c : what) {
    if (c >= 0x20 && c < 0x7f) {
      shown += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      shown += buf;
    }
  }
  std::fprintf(stderr, "FUZZ FINDING: %s\n", shown.c_str());
  std::fflush(stderr);
  std::abort();
}

// A private temporary directory for targets that need a data dir (tmpfs
// when available: no disk I/O per input).
std::string fuzz_temp_dir(const char* name);
