// Fuzz target: product import parsing (Shopify CSV and JSON), as
// `shopbox import` and POST /api/v1/admin/import run it before writing.
//
// Input: byte 0 picks the format (even: CSV, odd: JSON), the rest is the file.
// Findings: crashes, sanitizer reports, exceptions, and broken promises:
// errors name a physical line inside the file, at most 100 errors, every
// item has its line (and, from a CSV, every variant its own), parse_csv's
// records start on increasing lines.
#include <string>

#include "catalog/import.h"
#include "config.h"
#include "fuzz/fuzz_common.h"

using namespace shopbox;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  ImportFormat format = data[0] & 1 ? ImportFormat::json : ImportFormat::shopify_csv;
  std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  // Physical lines as the parser counts them: "\n", "\r\n" and a lone "\r"
  // (old Mac files) each end one.
  int64_t lines = 1;
  for (size_t i = 0; i < text.size(); ++i)
    lines += text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n'));

  static const Config config;
  ParsedImport parsed = parse_import(text, format, config);
  if (parsed.errors.size() > 100) fuzz_fail("more than 100 import errors");
  for (const auto& e : parsed.errors) {
    if (e.line < 0 || e.line > lines)
      fuzz_fail("error on line " + std::to_string(e.line) + " of " + std::to_string(lines) + ": " + e.message);
    if (e.message.empty()) fuzz_fail("error without a message");
  }
  if (parsed.errors.empty() && parsed.lines.size() != parsed.items.size()) fuzz_fail("items without lines");
  for (auto l : parsed.lines)
    if (l < 1 || l > lines) fuzz_fail("item on line " + std::to_string(l) + " of " + std::to_string(lines));
  if (parsed.errors.empty()) {
    if (parsed.variant_lines.size() != parsed.items.size()) fuzz_fail("items without variant lines");
    for (size_t i = 0; i < parsed.items.size(); ++i) {
      const auto& vl = parsed.variant_lines[i];
      if (format == ImportFormat::shopify_csv && vl.size() != parsed.items[i].product.variants.size())
        fuzz_fail("a CSV variant without its line");
      for (auto l : vl)
        if (l < 1 || l > lines) fuzz_fail("variant on line " + std::to_string(l) + " of " + std::to_string(lines));
    }
  }

  auto csv = parse_csv(text);
  if (csv.ok()) {
    int64_t last = 0;
    for (const auto& r : csv.value()) {
      if (r.line <= last || r.line > lines)
        fuzz_fail("CSV record line " + std::to_string(r.line) + " after " + std::to_string(last));
      last = r.line;
    }
  }
  (void)detect_import_format("upload", text);
  return 0;
}
