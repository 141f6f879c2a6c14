// Removing uploaded pictures nothing refers to any more.
//
// Pictures are stored by content (catalog/product_image.h) and shared: a
// product losing a picture keeps its files, since another product, a
// variant, an old order's line or the shop's logo may show the same one.
// Over time the files of pictures nobody shows pile up; this finds and
// removes them.
//
// A picture is in use while any of these names one of its addresses
// (/images/<key>-<width>.webp): a product's image list, a variant's
// picture, an order line (orders keep the picture they were placed
// with), a shop setting (the logo). That crosses modules, which is why it
// lives in ops/ (like backup and check) and not in the catalog.
//
// Safe while the shop serves: an upload stores its files before the
// product names them, so only pictures stored (or uploaded again) longer
// ago than `grace_seconds` are candidates, and the rows are deleted in one
// transaction that also re-reads the references. Files on disk that no
// row lists (a crash between writing a file and recording it) older than
// the grace are removed too. Do not run it during `shopbox backup`: the
// backup lists files it then copies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/sqlite.h"

namespace shopbox::ops {

struct UnusedImages {
  std::vector<std::string> files;  // relative to the image dir: "ab/<key>-640.webp"
  int64_t bytes = 0;
};

// What prune_unused_images would remove (changes nothing).
[[nodiscard]] Result<UnusedImages> find_unused_images(Sqlite& db, const std::string& dir, int64_t grace_seconds);
// Deletes the unused pictures' rows, then their files; returns what went.
[[nodiscard]] Result<UnusedImages> prune_unused_images(Sqlite& db, const std::string& dir, int64_t grace_seconds);

}  // namespace shopbox::ops
