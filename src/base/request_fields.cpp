#include "base/request_fields.h"

namespace shopbox {

Status only_fields(const nlohmann::json& body, std::initializer_list<const char*> allowed, const std::string& prefix) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool known = false;
    for (const char* f : allowed) known = known || it.key() == f;
    if (known) continue;
    std::string expected;
    for (const char* f : allowed) expected += (expected.empty() ? "" : ", ") + std::string(f);
    const std::string field = prefix + it.key();
    return field_error(field, "unknown or read-only field: " + field + " (expected " + expected + ")");
  }
  return Status::Ok();
}

}  // namespace shopbox
