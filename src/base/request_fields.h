// Which keys a JSON request object may hold: one rule for every body the
// API, the services and the importers read.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "base/status.h"

namespace shopbox {

// A 400 naming the first key of `body` that is not in `allowed` (as
// `prefix` + key, e.g. "payment_method.ttpe"): a typo or an attempt to set
// something read-only is an error, never a silent no-op.
Status only_fields(const nlohmann::json& body, std::initializer_list<const char*> allowed,
                   const std::string& prefix = "");

}  // namespace shopbox
