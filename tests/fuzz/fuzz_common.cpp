#include "fuzz/fuzz_common.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <vector>

#include "base/crypto.h"

std::string fuzz_temp_dir(const char* name) {
  std::filesystem::path base =
      std::filesystem::exists("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
  auto dir =
      base / (std::string("shopbox-fuzz-") + name + "-" + std::to_string(getpid()) + "-" + shopbox::random_hex(4));
  std::filesystem::create_directories(dir);
  // Removed at exit; libFuzzer ends with exit() (after -max_total_time, or
  // from its crash handler, when the directory is left for inspection).
  static std::vector<std::filesystem::path>* dirs = new std::vector<std::filesystem::path>();
  dirs->push_back(dir);
  static bool registered = [] {
    std::atexit([] {
      std::error_code ec;
      for (const auto& d : *dirs) std::filesystem::remove_all(d, ec);
    });
    return true;
  }();
  (void)registered;
  return dir.string();
}
