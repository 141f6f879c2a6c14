// The storefront's files (web/), embedded at build time by
// cmake/embed_web.cmake.
#pragma once

#include <cstddef>
#include <string>

namespace shopbox {
struct WebAsset {
  const char* path;  // "/index.html"
  const char* data;
  size_t size;
  const char* content_type;
};
const WebAsset* find_web_asset(const std::string& path);
}  // namespace shopbox
