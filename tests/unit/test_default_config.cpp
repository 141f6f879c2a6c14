// The commented default config (`shopbox config default`, the packaged
// /etc/shopbox/shopbox.toml) must load: a section split in two is a TOML
// error ("cannot redefine existing table") on every installed shop.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "config.h"

TEST_CASE("the default config file loads, each section once", "[config]") {
  std::string text = shopbox::default_config_toml();
  auto path = std::filesystem::temp_directory_path() / ("shopbox-default-" + std::to_string(::getpid()) + ".toml");
  {
    std::ofstream out(path);
    out << text;
  }
  auto cfg = shopbox::load_config(path.string());
  std::filesystem::remove(path);
  INFO((cfg.ok() ? std::string("ok") : cfg.status().message()));
  CHECK(cfg.ok());
  for (const char* section : {"[shop]", "[payments]", "[email]"}) {
    size_t first = text.find(std::string("\n") + section);
    REQUIRE(first != std::string::npos);
    CHECK(text.find(std::string("\n") + section, first + 1) == std::string::npos);
  }
}
