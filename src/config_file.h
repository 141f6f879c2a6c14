// The config file parser on its own (src/config.cpp): the [section]
// key = value settings of a TOML text, named `origin` in errors, over the
// defaults and validated, without the environment. load_config() uses the
// same code; the config fuzz target (tests/fuzz/fuzz_config.cpp) drives it.
#pragma once

#include <string>
#include <string_view>

#include "config.h"

namespace shopbox {

Result<Config> parse_config_toml(std::string_view text, const std::string& origin);

}  // namespace shopbox
