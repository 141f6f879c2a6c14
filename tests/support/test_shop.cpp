#include "support/test_shop.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "base/crypto.h"
#include "support/fixtures.h"
#include "users/api_tokens.h"

namespace shopbox::testing {

std::string Reply::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

TempDir::TempDir() {
  path_ = (std::filesystem::temp_directory_path() / ("shopbox-test-" + random_hex(8))).string();
  std::filesystem::create_directories(path_);
}
TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestShop::TestShop(const std::function<void(Config&)>& tweak) : tweak_(tweak) {
  start();
}
TestShop::~TestShop() {
  stop();
}

void TestShop::start() {
  Config cfg;
  cfg.data_dir = dir_.path();
  cfg.listen = "127.0.0.1";
  cfg.port = 0;
  cfg.threads = 16;
  cfg.lmdb_map_size_mb = 256;
  cfg.sqlite_synchronous = "NORMAL";  // tests do not need fsync
  cfg.password_scrypt_log_n = 10;     // cheap password hashes keep tests fast
  cfg.password_scrypt_p = 1;
  cfg.rate_limit_enabled = 0;  // rate-limit tests turn it back on
  if (tweak_) tweak_(cfg);
  auto app = App::open(cfg);
  if (!app.ok()) FAIL("App::open: " << app.status().message());
  app_ = std::move(app.value());
  auto rec = app_->recover();
  if (!rec.ok()) FAIL("recover: " << rec.message());
  server_ = std::make_unique<HttpServer>(*app_);
  register_all_routes(*server_, *app_);
  port_ = server_->bind("127.0.0.1", 0);
  REQUIRE(port_ > 0);
  thread_ = std::thread([this] { server_->serve(); });
  // bind() already opened the socket, so connections queue until serve()
  // accepts them; wait briefly for the accept loop to start anyway.
  for (int i = 0; i < 500 && !server_->raw().is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

void TestShop::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
  app_.reset();
}

void TestShop::restart() {
  stop();
  start();
}

Reply TestShop::wrap(const httplib::Result& r) {
  Reply out;
  if (!r) {
    out.status = -1;
    return out;
  }
  out.status = r->status;
  out.text = r->body;
  out.headers = r->headers;
  out.body = json::parse(r->body, nullptr, false);
  if (out.body.is_discarded()) out.body = nullptr;
  return out;
}

static httplib::Client client(int port) {
  httplib::Client c("127.0.0.1", port);
  c.set_read_timeout(30, 0);
  return c;
}

Reply TestShop::get(const std::string& path, const Headers& h) {
  auto c = client(port_);
  return wrap(c.Get(path.c_str(), h));
}
Reply TestShop::post(const std::string& path, const json& body, const Headers& h) {
  return post_raw(path, body.dump(), h);
}
Reply TestShop::post_raw(const std::string& path, const std::string& body, const Headers& h, const std::string& type) {
  auto c = client(port_);
  return wrap(c.Post(path.c_str(), h, body, type.c_str()));
}
Reply TestShop::put(const std::string& path, const json& body, const Headers& h) {
  auto c = client(port_);
  return wrap(c.Put(path.c_str(), h, body.dump(), "application/json"));
}
Reply TestShop::patch(const std::string& path, const json& body, const Headers& h) {
  auto c = client(port_);
  return wrap(c.Patch(path.c_str(), h, body.dump(), "application/json"));
}
Reply TestShop::del(const std::string& path, const Headers& h) {
  auto c = client(port_);
  return wrap(c.Delete(path.c_str(), h));
}

Headers TestShop::admin() {
  if (admin_token_.empty()) {
    auto tok = create_api_token(*app_->db, "admin", "tests");
    REQUIRE(tok.ok());
    admin_token_ = *tok;
  }
  return {{"Authorization", "Bearer " + admin_token_}};
}

TestShop::Account TestShop::register_user(const std::string& email, const std::string& password) {
  auto r = post("/api/v1/auth/register",
                {{"email", email}, {"password", password}, {"first_name", "Test"}, {"last_name", "User"}});
  INFO(r.text);
  REQUIRE(r.status == 201);
  Account a;
  a.user_id = r.body["user"]["user_id"].get<std::string>();
  a.email = email;
  a.token = r.body["token"].get<std::string>();
  a.auth = {{"Authorization", "Bearer " + a.token}};
  return a;
}

std::string TestShop::create_category(const std::string& name, const std::string& parent_id) {
  json body = {{"name", name}};
  if (!parent_id.empty()) body["parent_id"] = parent_id;
  auto r = post("/api/v1/admin/categories", body, admin());
  REQUIRE(r.status == 201);
  return r.body["category_id"].get<std::string>();
}

std::string TestShop::create_product(const json& fields, int stock) {
  json body = fields;
  // A product with variants takes its stock and prices per variant.
  if (!body.contains("variants")) {
    if (!body.contains("stock")) body["stock"] = stock;
    if (!body.contains("price")) body["price"] = 10;
  }
  auto r = post("/api/v1/admin/products", body, admin());
  INFO(r.text);
  REQUIRE(r.status == 201);
  return r.body["product_id"].get<std::string>();
}

void exec_sql(TestShop& shop, const std::string& script) {
  REQUIRE(shop.app()
              .db
              ->write([&](Connection& c) {
                c.exec_script(script);
                return Status::Ok();
              })
              .ok());
}

int64_t count_rows(TestShop& shop, const char* sql) {
  int64_t n = 0;
  REQUIRE(shop.app()
              .db
              ->read([&](Connection& c) {
                auto st = c.prepare(sql);
                if (st.step()) n = st.int64(0);
                return Status::Ok();
              })
              .ok());
  return n;
}

json last_event(TestShop& shop, const std::string& type) {
  json out;
  REQUIRE(shop.app()
              .db
              ->read([&](Connection& c) {
                auto q = c.prepare("SELECT payload FROM outbox_events WHERE type = ? ORDER BY event_id DESC LIMIT 1");
                q.bind(1, type);
                if (q.step()) out = json::parse(q.text(0));
                return Status::Ok();
              })
              .ok());
  REQUIRE(out.is_object());
  return out;
}

}  // namespace shopbox::testing
