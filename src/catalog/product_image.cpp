#include "catalog/product_image.h"

#include <cstdio>

#include "base/text.h"

namespace shopbox {

std::string product_svg(const Product& p, int n) {
  // A stable hue per product, shifted per image so a gallery differs.
  uint64_t h = static_cast<uint64_t>(p.id) * 2654435761u + static_cast<uint64_t>(n) * 40503u;
  int hue = static_cast<int>(h % 360);
  std::string initials;
  bool take = true;
  for (char c : p.name) {
    if (take && std::isalnum(static_cast<unsigned char>(c)) && initials.size() < 2)
      initials += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    take = c == ' ';
  }
  std::string label = p.brand.empty() ? p.name : p.brand;
  if (label.size() > 28) label = label.substr(0, 27) + "...";
  char buf[2048];
  std::snprintf(
      buf, sizeof buf,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600\" height=\"600\" viewBox=\"0 0 600 600\">"
      "<defs><linearGradient id=\"g\" x1=\"0\" y1=\"0\" x2=\"1\" y2=\"1\">"
      "<stop offset=\"0\" stop-color=\"hsl(%d,65%%,62%%)\"/><stop offset=\"1\" stop-color=\"hsl(%d,60%%,38%%)\"/>"
      "</linearGradient></defs><rect width=\"600\" height=\"600\" fill=\"url(#g)\"/>"
      "<circle cx=\"300\" cy=\"270\" r=\"%d\" fill=\"rgba(255,255,255,0.18)\"/>"
      "<text x=\"300\" y=\"310\" font-family=\"sans-serif\" font-size=\"140\" font-weight=\"700\" "
      "fill=\"#fff\" text-anchor=\"middle\">%s</text>"
      "<text x=\"300\" y=\"520\" font-family=\"sans-serif\" font-size=\"30\" fill=\"rgba(255,255,255,0.9)\" "
      "text-anchor=\"middle\">%s</text></svg>",
      hue, (hue + 40) % 360, 150 + (n % 3) * 20, markup_escape(initials).c_str(), markup_escape(label).c_str());
  return buf;
}

}  // namespace shopbox
