#include <catch2/catch.hpp>

#include "catalog/catalog_store.h"
#include "schema.h"
#include "storage/lmdb.h"
#include "storage/sqlite.h"
#include "support/test_shop.h"

using namespace shopbox;

TEST_CASE("migrations apply once and the schema survives reopening", "[unit][storage]") {
  testing::TempDir dir;
  std::string path = dir.path() + "/t.db";
  {
    auto db = Sqlite::open(path, all_migrations());
    REQUIRE(db.ok());
  }
  auto db = Sqlite::open(path, all_migrations());
  REQUIRE(db.ok());
  int64_t n = 0;
  REQUIRE((*db)
              ->read([&](Connection& c) {
                auto st = c.prepare("SELECT COUNT(*) FROM schema_migrations");
                st.step();
                n = st.int64(0);
                return Status::Ok();
              })
              .ok());
  CHECK(n == static_cast<int64_t>(all_migrations().size()));
}

TEST_CASE("a failed write transaction changes nothing", "[unit][storage]") {
  testing::TempDir dir;
  auto db = Sqlite::open(dir.path() + "/t.db", all_migrations());
  REQUIRE(db.ok());
  Status st = (*db)->write([](Connection& c) {
    Category cat;
    cat.name = "Shoes";
    cat.slug = "shoes";
    REQUIRE(catalog_store::insert_category(c, cat).ok());
    return Status::Invalid("abort on purpose");
  });
  CHECK(st.kind() == Kind::invalid);
  size_t count = 1;
  REQUIRE((*db)
              ->read([&](Connection& c) {
                count = catalog_store::list_categories(c).size();
                return Status::Ok();
              })
              .ok());
  CHECK(count == 0);
}

TEST_CASE("category paths follow renames and moves", "[unit][storage]") {
  testing::TempDir dir;
  auto db = Sqlite::open(dir.path() + "/t.db", all_migrations());
  REQUIRE(db.ok());
  REQUIRE((*db)
              ->write([](Connection& c) {
                Category a{0, std::nullopt, "Electronics", "electronics", 0, "", 0};
                REQUIRE(catalog_store::insert_category(c, a).ok());
                Category b{0, a.id, "Audio", "audio", 0, "", 0};
                REQUIRE(catalog_store::insert_category(c, b).ok());
                Category h{0, b.id, "Headphones", "headphones", 0, "", 0};
                REQUIRE(catalog_store::insert_category(c, h).ok());
                CHECK(h.path == "Electronics/Audio/Headphones");
                CHECK(h.level == 2);
                b.name = "Sound";
                REQUIRE(catalog_store::update_category(c, b).ok());
                CHECK(catalog_store::get_category(c, h.id)->path == "Electronics/Sound/Headphones");
                // A category cannot move under its own descendant.
                a.parent_id = h.id;
                CHECK(catalog_store::update_category(c, a).kind() == Kind::invalid);
                return Status::Ok();
              })
              .ok());
}

TEST_CASE("LMDB write transactions commit or abort as a whole", "[unit][storage]") {
  testing::TempDir dir;
  auto env = Lmdb::open(dir.path() + "/kv", 64 << 20, {"t"});
  REQUIRE(env.ok());
  Lmdb& kv = **env;
  REQUIRE(kv.write([&](WriteTxn& t) {
              t.put(kv.db("t"), "a", "1");
              return Status::Ok();
            }).ok());
  CHECK_FALSE(kv.write([&](WriteTxn& t) {
                  t.put(kv.db("t"), "b", "2");
                  return Status::Invalid("no");
                }).ok());
  ReadTxn r(kv);
  CHECK(r.get(kv.db("t"), "a") == std::string("1"));
  CHECK_FALSE(r.get(kv.db("t"), "b"));
  CHECK(decode_u64_key(encode_u64_key(1234567)) == 1234567);
  CHECK(encode_u64_key(2) < encode_u64_key(256));
}
