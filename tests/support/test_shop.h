// TestShop: a real shopbox server on an ephemeral loopback port, with a
// fresh data directory, for HTTP integration tests.
//
//   TestShop shop;                                   // empty catalog
//   auto r = shop.get("/api/v1/products/1");         // r.status, r.json
//   auto r2 = shop.post("/api/v1/admin/products", body, shop.admin());
#pragma once

#include <httplib.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "app.h"
#include "config.h"
#include "http/server.h"

namespace shopbox::testing {

using json = nlohmann::json;

struct Reply {
  int status = 0;
  json body;         // parsed JSON (null when not JSON)
  std::string text;  // raw body
  httplib::Headers headers;
  std::string header(const std::string& name) const;
};

using Headers = httplib::Headers;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class TestShop {
 public:
  // `tweak` may change the config before the app opens.
  explicit TestShop(const std::function<void(Config&)>& tweak = {});
  ~TestShop();

  App& app() { return *app_; }
  int port() const { return port_; }
  const std::string& data_dir() const { return dir_.path(); }
  // Stops and starts the server over the same data dir (restart tests).
  void restart();

  Reply get(const std::string& path, const Headers& h = {});
  Reply post(const std::string& path, const json& body, const Headers& h = {});
  Reply post_raw(const std::string& path, const std::string& body, const Headers& h = {},
                 const std::string& content_type = "application/json");
  Reply put(const std::string& path, const json& body, const Headers& h = {});
  Reply patch(const std::string& path, const json& body, const Headers& h = {});
  Reply del(const std::string& path, const Headers& h = {});

  // Authorization header of an admin API token (created on first use).
  Headers admin();
  // Registers a customer through the API; `auth` is its bearer header.
  struct Account {
    std::string user_id, email, token;
    Headers auth;
  };
  Account register_user(const std::string& email, const std::string& password = "plum-tree-42");
  // Creates a category and returns its id.
  std::string create_category(const std::string& name, const std::string& parent_id = "");
  // Creates a product with stock and returns its id.
  std::string create_product(const json& fields, int stock = 10);

 private:
  void start();
  void stop();
  Reply wrap(const httplib::Result& r);

  TempDir dir_;
  std::function<void(Config&)> tweak_;
  std::unique_ptr<App> app_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
  int port_ = 0;
  std::string admin_token_;
};

}  // namespace shopbox::testing
