// Fuzz target: search syntax against a real Xapian index (search/index.h):
// the query text shoppers type (words, quotes, operators, prefixes, stray
// punctuation, any bytes), with filters, sorts, pages, suggestions and
// spelling correction; variant SKUs and barcodes as the text, option
// facets, and the id filter option filters use.
//
// Input: byte 0 picks sort/flags, byte 1 page, the rest is the query text
// (the HTTP layer caps q at 200 characters without control characters; the
// index itself is fed everything).
// Findings: crashes, sanitizer reports, exceptions escaping, a search
// failing with anything but a 400-kind Status, more hits than the page size.
#include <string>

#include "fuzz/fuzz_common.h"
#include "search/index.h"

using namespace shopbox;
using namespace shopbox::search;

namespace {
Index* the_index = nullptr;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto idx = Index::open(fuzz_temp_dir("search"));
  if (!idx.ok()) fuzz_fail("Index::open: " + idx.status().message());
  the_index = idx.value().release();
  const char* names[] = {"Red running shoes", "Blue denim jacket", "Stainless steel kettle", "Wireless headphones",
                         "Organic green tea", "Cast iron skillet", "Running socks (3 pack)", "USB-C cable 2m"};
  std::vector<IndexDoc> docs;
  for (int i = 0; i < 8; ++i) {
    IndexDoc d;
    d.id = i + 1;
    d.name = names[i];
    d.brand = i % 2 ? "Acme" : "Globex";
    d.description = std::string("A fine product: ") + names[i] + " for every day.";
    d.sku = "SKU-" + std::to_string(i);
    d.slug = "p-" + std::to_string(i);
    d.category_ids = {1, 2 + i % 3};
    d.category_names = {"Shop", i % 3 ? "Home" : "Sports"};
    d.specs = {{"color", i % 2 ? "red" : "blue"}};
    d.price = 500 + i * 1250;
    d.original_price = d.price + (i % 3) * 100;
    d.rating_sum = i * 4;
    d.rating_count = i;
    d.created_at = 1700000000 + i;
    d.in_stock = i % 4 != 0;
    d.variant_ids = {d.id, 100 + i};
    d.variant_skus = {"SKU-" + std::to_string(i) + "-XL"};
    d.barcodes = {"40000" + std::to_string(i)};
    if (i % 2) d.options = {{"Size", "M", 1}, {"Size", "XL", 3}, {"Color", i % 4 ? "Red" : "red", 0}};
    if (i == 3) d.price_max = d.price + 500;
    docs.push_back(d);
  }
  if (auto st = the_index->write(docs, {}); !st.ok()) fuzz_fail("index write: " + st.message());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  Query q;
  q.text.assign(reinterpret_cast<const char*>(data + 2), size - 2);
  q.sort = static_cast<Sort>(data[0] % 6);
  q.facets = data[0] & 8;
  q.spelling = data[0] & 16;
  if (data[0] & 32) q.brands = {"Acme"};
  if (data[0] & 64) q.min_price = 1000;
  if (data[0] & 128) q.category_id = 2;
  if (data[1] & 1) q.in_stock = true;
  if (data[1] & 2) q.min_rating = 3;
  q.page = 1 + (data[1] >> 4);
  q.size = 1 + ((data[1] >> 2) & 3) * 10;
  // Only some documents (an option filter's answer), including ids no
  // document can have.
  if ((data[0] ^ data[1]) & 4) {
    q.restrict_ids = true;
    q.ids = {2, 3, 5, 4000000000LL};
  }
  auto r = the_index->search(q);
  // Text a shopper can type may be refused (400), never fail inside (500).
  if (!r.ok() && r.status().kind() != Kind::invalid)
    fuzz_fail("search failed for " + q.text + ": " + r.status().message());
  if (r.ok() && r->hits.size() > static_cast<size_t>(q.size)) fuzz_fail("more hits than the page size");
  (void)the_index->suggest(q.text, 8);
  return 0;
}
