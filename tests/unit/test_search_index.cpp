// search::Index on its own: mapping, filters, sorting, concurrent readers
// during writes and swaps.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "search/index.h"
#include "support/test_shop.h"

using namespace shopbox::search;
using shopbox::testing::TempDir;

namespace {

IndexDoc doc(int64_t id, const std::string& name, const std::string& brand, int64_t cents, bool stock = true) {
  IndexDoc d;
  d.id = id;
  d.name = name;
  d.brand = brand;
  d.price = cents;
  d.original_price = cents;
  d.category_ids = {1, 10 + id % 2};
  d.category_names = {"Root", id % 2 ? "Odd" : "Even"};
  d.description = "Item number " + std::to_string(id);
  d.in_stock = stock;
  d.created_at = 1000 + id;
  d.rating_sum = id % 6;
  d.rating_count = id % 6 ? 1 : 0;
  return d;
}

}  // namespace

TEST_CASE("index maps, filters, sorts and counts facets", "[unit][search]") {
  TempDir dir;
  auto idx = Index::open(dir.path() + "/search");
  REQUIRE(idx.ok());
  std::vector<IndexDoc> docs;
  for (int i = 1; i <= 30; ++i)
    docs.push_back(doc(i, "Lamp " + std::to_string(i), i % 3 ? "Lumo" : "Brite", i * 500, i % 4 != 0));
  REQUIRE((*idx)->write(docs, {}).ok());

  Query q;
  q.text = "lamp";
  auto r = (*idx)->search(q);
  REQUIRE(r.ok());
  CHECK(r->total == 30);
  int64_t brand_sum = 0;
  for (auto& [b, n] : r->facets.brands) brand_sum += n;
  CHECK(brand_sum == 30);
  CHECK(r->facets.in_stock == 23);

  q.category_id = 11;  // odd ids
  q.brands = {"Brite"};
  r = (*idx)->search(q);
  CHECK(r->total == 5);  // 3, 9, 15, 21, 27
  for (auto& h : r->hits) CHECK(h.id % 2 == 1);

  Query p;
  p.min_price = 1000;
  p.max_price = 2500;  // ids 2..5
  p.sort = Sort::price_desc;
  r = (*idx)->search(p);
  REQUIRE(r->total == 4);
  CHECK(r->hits.front().id == 5);
  CHECK(r->hits.back().id == 2);

  REQUIRE((*idx)->write({}, {5, 999}).ok());  // deleting a missing id is fine
  CHECK((*idx)->search(p)->total == 3);
  CHECK(!(*idx)->similar(5, 3).ok());
}

TEST_CASE("readers keep answering while the index is written and swapped", "[unit][search][concurrency]") {
  TempDir dir;
  auto idx = Index::open(dir.path() + "/search");
  REQUIRE(idx.ok());
  std::vector<IndexDoc> docs;
  for (int i = 1; i <= 200; ++i) docs.push_back(doc(i, "Chair " + std::to_string(i), "Oak", 1000 + i));
  REQUIRE((*idx)->write(docs, {}).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0}, ok{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] {
      Query q;
      q.text = "chair";
      while (!stop) {
        auto r = (*idx)->search(q);
        if (!r.ok() || r->total < 200) ++bad;
        ++ok;
      }
    });
  for (int round = 0; round < 5; ++round) {
    std::vector<IndexDoc> more = {doc(1000 + round, "Chair extra", "Oak", 99)};
    REQUIRE((*idx)->write(more, {}).ok());
    auto n = (*idx)->rebuild([&](const std::function<void(const IndexDoc&)>& add) {
      for (auto& d : docs) add(d);
    });
    REQUIRE(n.ok());
    CHECK(*n == 200);
  }
  stop = true;
  for (auto& t : readers) t.join();
  CHECK(bad == 0);
  CHECK(ok > 0);
  // Only the current and the previous index directories remain.
  int dirs = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path() + "/search"))
    if (e.path().filename().string().rfind("idx-", 0) == 0) ++dirs;
  CHECK(dirs == 2);
}
