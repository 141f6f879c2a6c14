// Addresses and saved cards under /api/v1/me: CRUD, defaults, validation,
// ownership (another user's rows are 404) and "no card number at rest".
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/test_shop.h"
#include "users/user_store.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

namespace {

json home() {
  return {{"name", "Ada Lovelace"},
          {"street", "12 St James's Square"},
          {"city", "London"},
          {"zip", "SW1Y 4JH"},
          {"country", "gb"}};
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every byte under `dir` (SQLite database, WAL, LMDB files).
std::string all_bytes(const std::string& dir) {
  std::string out;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out += slurp(e.path());
  return out;
}

int count_defaults(const json& list, const char* flag) {
  int n = 0;
  for (auto& a : list) n += a[flag].get<bool>() ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("addresses: create, list, update, delete, one default of each kind", "[http][users][addresses]") {
  TestShop shop;
  auto a = shop.register_user("addr@example.com");
  auto first = shop.post("/api/v1/me/addresses", home(), a.auth);
  REQUIRE(first.status == 201);
  CHECK(first.body["address_id"].is_string());
  CHECK(first.body["country"] == "GB");  // upper-cased
  CHECK(first.body["address_type"] == "both");
  CHECK(first.body["is_default_shipping"] == true);  // the first address is the default
  CHECK(first.body["is_default_billing"] == true);
  CHECK(first.body["is_default"] == true);

  json office = home();
  office["name"] = "Office";
  office["address_type"] = "shipping";
  office["is_default"] = true;
  auto second = shop.post("/api/v1/me/addresses", office, a.auth);
  REQUIRE(second.status == 201);
  CHECK(second.body["is_default_shipping"] == true);
  CHECK(second.body["is_default_billing"] == false);

  auto list = shop.get("/api/v1/me/addresses", a.auth);
  REQUIRE(list.status == 200);
  REQUIRE(list.body["addresses"].size() == 2);
  CHECK(list.body["total"] == 2);
  CHECK(count_defaults(list.body["addresses"], "is_default_shipping") == 1);
  CHECK(count_defaults(list.body["addresses"], "is_default_billing") == 1);
  CHECK(list.body["addresses"][0]["is_default_billing"] == true);  // the first keeps billing

  std::string id1 = first.body["address_id"];
  auto moved =
      shop.patch("/api/v1/me/addresses/" + id1, {{"is_default_shipping", true}, {"city", "Cambridge"}}, a.auth);
  REQUIRE(moved.status == 200);
  CHECK(moved.body["city"] == "Cambridge");
  list = shop.get("/api/v1/me/addresses", a.auth);
  CHECK(count_defaults(list.body["addresses"], "is_default_shipping") == 1);
  CHECK(shop.get("/api/v1/me/addresses/" + id1, a.auth).body["is_default_shipping"] == true);

  // A shipping-only address cannot be the billing default.
  std::string id2 = second.body["address_id"];
  auto refused = shop.patch("/api/v1/me/addresses/" + id2, {{"is_default_billing", true}}, a.auth);
  CHECK(refused.status == 400);
  CHECK(refused.body["error"]["details"]["field"] == "is_default_billing");

  CHECK(shop.del("/api/v1/me/addresses/" + id2, a.auth).status == 204);
  CHECK(shop.get("/api/v1/me/addresses/" + id2, a.auth).status == 404);
  CHECK(shop.del("/api/v1/me/addresses/" + id2, a.auth).status == 404);
  CHECK(shop.get("/api/v1/me/addresses", a.auth).body["addresses"].size() == 1);
  CHECK(shop.get("/api/v1/me/addresses").status == 401);
}

TEST_CASE("addresses: bad input is a 400 naming the field and changes nothing", "[http][users][addresses]") {
  TestShop shop;
  auto a = shop.register_user("addrbad@example.com");
  auto created = shop.post("/api/v1/me/addresses", home(), a.auth);
  REQUIRE(created.status == 201);
  std::string id = created.body["address_id"];

  struct Case {
    std::string key;
    json value;
  };
  std::vector<Case> cases = {
      {"country", "USA"},
      {"country", "1A"},
      {"country", ""},
      {"country", 1},
      {"name", ""},
      {"name", std::string(201, 'n')},
      {"street", "line\u0001"},
      {"city", json::array()},
      {"zip", "12345<script>"},
      {"address_type", "home"},
      {"is_default", "yes"},
      {"phone", "not a phone"},
      {"nickname", "x"},
  };
  for (auto& c : cases) {
    json body = home();
    body[c.key] = c.value;
    INFO(c.key << " = " << c.value.dump());
    auto r = shop.post("/api/v1/me/addresses", body, a.auth);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == (c.key == "address_type" ? "address_type" : c.key));
    auto p = shop.patch("/api/v1/me/addresses/" + id, {{c.key, c.value}}, a.auth);
    CHECK(p.status == 400);
  }
  for (const char* missing : {"name", "street", "city", "country"}) {
    json body = home();
    body.erase(missing);
    auto r = shop.post("/api/v1/me/addresses", body, a.auth);
    INFO(missing);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["details"]["field"] == missing);
  }
  CHECK(shop.post_raw("/api/v1/me/addresses", "[]", a.auth).status == 400);
  CHECK(shop.post_raw("/api/v1/me/addresses", "{", a.auth).status == 400);
  CHECK(shop.patch("/api/v1/me/addresses/abc", {{"city", "X"}}, a.auth).status == 404);
  auto list = shop.get("/api/v1/me/addresses", a.auth);
  REQUIRE(list.body["addresses"].size() == 1);
  CHECK(list.body["addresses"][0] == created.body);
}

TEST_CASE("ownership: another user's addresses and cards are 404 on every route", "[http][users][ownership]") {
  TestShop shop;
  auto alice = shop.register_user("alice@example.com");
  auto bob = shop.register_user("bob@example.com");
  auto addr = shop.post("/api/v1/me/addresses", home(), alice.auth);
  REQUIRE(addr.status == 201);
  auto card = shop.post("/api/v1/me/payment-methods",
                        {{"card_number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}},
                        alice.auth);
  REQUIRE(card.status == 201);
  std::string aid = addr.body["address_id"], pid = card.body["payment_method_id"];

  CHECK(shop.get("/api/v1/me/addresses", bob.auth).body["addresses"].empty());
  CHECK(shop.get("/api/v1/me/payment-methods", bob.auth).body["payment_methods"].empty());
  auto g = shop.get("/api/v1/me/addresses/" + aid, bob.auth);
  CHECK(g.status == 404);
  CHECK(g.body["error"]["code"] == "not_found");
  CHECK(shop.patch("/api/v1/me/addresses/" + aid, {{"city", "Bobville"}}, bob.auth).status == 404);
  CHECK(shop.del("/api/v1/me/addresses/" + aid, bob.auth).status == 404);
  CHECK(shop.patch("/api/v1/me/payment-methods/" + pid, {{"is_default", true}}, bob.auth).status == 404);
  CHECK(shop.del("/api/v1/me/payment-methods/" + pid, bob.auth).status == 404);

  // Alice's rows are untouched.
  auto mine = shop.get("/api/v1/me/addresses/" + aid, alice.auth);
  REQUIRE(mine.status == 200);
  CHECK(mine.body["city"] == "London");
  CHECK(shop.get("/api/v1/me/payment-methods", alice.auth).body["payment_methods"].size() == 1);
  // The store functions checkout uses filter on the owner too.
  REQUIRE(
      shop.app()
          .db
          ->read([&](shopbox::Connection& c) {
            CHECK(!shopbox::user_store::get_address(c, std::stoll(bob.user_id), std::stoll(aid)).has_value());
            CHECK(shopbox::user_store::get_address(c, std::stoll(alice.user_id), std::stoll(aid)).has_value());
            CHECK(!shopbox::user_store::get_payment_method(c, std::stoll(bob.user_id), std::stoll(pid)).has_value());
            CHECK(shopbox::user_store::get_payment_method(c, std::stoll(alice.user_id), std::stoll(pid)).has_value());
            return shopbox::Status::Ok();
          })
          .ok());
}

TEST_CASE("payment methods: tokenized, listed without the number, default moves, delete", "[http][users][payments]") {
  TestShop shop;
  auto a = shop.register_user("cards@example.com");
  auto visa = shop.post(
      "/api/v1/me/payment-methods",
      {{"type", "card"}, {"card_number", "4242 4242 4242 4242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}},
      a.auth);
  REQUIRE(visa.status == 201);
  CHECK(visa.body["brand"] == "visa");
  CHECK(visa.body["last_four"] == "4242");
  CHECK(visa.body["exp_month"] == 12);
  CHECK(visa.body["exp_year"] == 2099);
  CHECK(visa.body["is_default"] == true);  // the first card
  CHECK_FALSE(visa.body.contains("card_number"));
  CHECK_FALSE(visa.body.contains("token"));

  auto mc =
      shop.post("/api/v1/me/payment-methods",
                {{"card_number", "5555555555554444"}, {"exp_month", 1}, {"exp_year", 2098}, {"cvc", "999"}}, a.auth);
  REQUIRE(mc.status == 201);
  CHECK(mc.body["brand"] == "mastercard");
  CHECK(mc.body["is_default"] == false);

  std::string mc_id = mc.body["payment_method_id"];
  auto d = shop.patch("/api/v1/me/payment-methods/" + mc_id, {{"is_default", true}}, a.auth);
  REQUIRE(d.status == 200);
  CHECK(d.body["is_default"] == true);
  auto list = shop.get("/api/v1/me/payment-methods", a.auth);
  REQUIRE(list.body["payment_methods"].size() == 2);
  CHECK(count_defaults(list.body["payment_methods"], "is_default") == 1);
  CHECK(list.text.find("4242424242424242") == std::string::npos);

  CHECK(shop.del("/api/v1/me/payment-methods/" + mc_id, a.auth).status == 204);
  CHECK(shop.get("/api/v1/me/payment-methods", a.auth).body["payment_methods"].size() == 1);
  CHECK(shop.del("/api/v1/me/payment-methods/" + mc_id, a.auth).status == 404);
}

TEST_CASE("payment methods: bad cards and bad input are 400 and save nothing", "[http][users][payments]") {
  TestShop shop;
  auto a = shop.register_user("badcards@example.com");
  json good = {{"card_number", "4242424242424242"}, {"exp_month", 12}, {"exp_year", 2099}, {"cvc", "123"}};
  struct Case {
    std::string key;
    json value;
    std::string code;
  };
  std::vector<Case> cases = {
      {"card_number", "4242424242424241", "invalid_card"},  // Luhn
      {"card_number", "4242", "invalid_card"},
      {"card_number", "4242x24242424242", "invalid_card"},
      {"card_number", 4242424242424242, "invalid_request"},
      {"card_number", "", "invalid_request"},
      {"exp_month", 13, "invalid_request"},
      {"exp_month", "12", "invalid_request"},
      {"exp_year", 2001, "invalid_card"},  // expired
      {"cvc", "12", "invalid_card"},
      {"cvc", 123, "invalid_request"},
      {"type", "paypal", "invalid_request"},
      {"cardnumber", "4242424242424242", "invalid_request"},  // unknown field
  };
  for (auto& c : cases) {
    json body = good;
    body[c.key] = c.value;
    INFO(c.key << " = " << c.value.dump());
    auto r = shop.post("/api/v1/me/payment-methods", body, a.auth);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["code"] == c.code);
    CHECK(r.text.find("424242424242") == std::string::npos);  // never echoed
  }
  for (const char* missing : {"card_number", "exp_month", "exp_year", "cvc"}) {
    json body = good;
    body.erase(missing);
    INFO(missing);
    CHECK(shop.post("/api/v1/me/payment-methods", body, a.auth).status == 400);
  }
  CHECK(shop.patch("/api/v1/me/payment-methods/1", {{"is_default", false}}, a.auth).status == 400);
  CHECK(shop.patch("/api/v1/me/payment-methods/999", {{"is_default", true}}, a.auth).status == 404);
  CHECK(shop.get("/api/v1/me/payment-methods", a.auth).body["payment_methods"].empty());
  CHECK(shop.post("/api/v1/me/payment-methods", good).status == 401);
}

TEST_CASE("a card number sent to the API is in no data file and no log line", "[http][users][payments][pci]") {
  const std::string number = "4000056655665556";  // Luhn-valid Visa debit test number
  // Capture this process's stderr (the server's log) while the server runs.
  std::string log_path = std::filesystem::temp_directory_path() / ("shopbox-stderr-" + std::to_string(getpid()));
  fflush(stderr);
  int saved = dup(2);
  int fd = open(log_path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  REQUIRE(fd >= 0);
  dup2(fd, 2);
  std::string data_dir;
  {
    TestShop shop;
    data_dir = shop.data_dir();
    auto a = shop.register_user("pci@example.com");
    auto ok = shop.post("/api/v1/me/payment-methods",
                        {{"card_number", number}, {"exp_month", 7}, {"exp_year", 2097}, {"cvc", "321"}}, a.auth);
    CHECK(ok.status == 201);
    // Failed attempts must not leave the number anywhere either.
    shop.post("/api/v1/me/payment-methods",
              {{"card_number", number}, {"exp_month", 7}, {"exp_year", 2001}, {"cvc", "321"}}, a.auth);
    shop.post("/api/v1/me/payment-methods", {{"card_number", number}, {"exp_month", 7}, {"exp_year", 2097}, {"cvc", 1}},
              a.auth);
    shop.post_raw("/api/v1/me/payment-methods", "{\"card_number\": \"" + number + "\", broken", a.auth);
    std::string bytes = all_bytes(data_dir);
    CHECK(bytes.size() > 0);
    CHECK(bytes.find(number) == std::string::npos);
    CHECK(bytes.find("5556") != std::string::npos);  // the last four are kept
    shop.restart();                                  // checkpoints the WAL into the main file
    bytes = all_bytes(data_dir);
    CHECK(bytes.find(number) == std::string::npos);
  }
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  close(fd);
  std::string log = slurp(log_path);
  std::filesystem::remove(log_path);
  CHECK(log.find(number) == std::string::npos);
}
