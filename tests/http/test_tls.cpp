// serve over HTTPS when tls_cert and tls_key are set (cpp-httplib's
// SSLServer over OpenSSL), tested with a self-signed certificate made by
// the openssl command line.
#include <catch2/catch.hpp>
#include <cstdlib>

#include "support/test_shop.h"

using shopbox::testing::TempDir;
using shopbox::testing::TestShop;

TEST_CASE("serve speaks HTTPS with the configured certificate and refuses plain HTTP", "[http][tls]") {
  TempDir certs;
  std::string cert = certs.path() + "/cert.pem", key = certs.path() + "/key.pem";
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 -days 2 "
      "-keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);

  TestShop shop([&](shopbox::Config& c) {
    c.tls_cert = cert;
    c.tls_key = key;
  });

  httplib::SSLClient client("127.0.0.1", shop.port());
  client.set_ca_cert_path(cert.c_str());
  client.enable_server_certificate_verification(true);
  auto r = client.Get("/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body.find("ok") != std::string::npos);
  auto products = client.Get("/api/v1/products");
  REQUIRE(products);
  CHECK(products->status == 200);

  // A client that does not trust the certificate fails the handshake.
  httplib::SSLClient untrusting("127.0.0.1", shop.port());
  untrusting.enable_server_certificate_verification(true);
  untrusting.set_ca_cert_path("/nonexistent-ca.pem");
  CHECK_FALSE(untrusting.Get("/healthz"));

  // Plain HTTP to the TLS port gets no HTTP answer.
  httplib::Client plain("127.0.0.1", shop.port());
  plain.set_read_timeout(2, 0);
  auto p = plain.Get("/healthz");
  CHECK((!p || p->status != 200));
}

TEST_CASE("a missing TLS certificate is a clear start-up error, not a silent plain-HTTP server", "[http][tls]") {
  TempDir dir;
  shopbox::Config cfg;
  cfg.data_dir = dir.path();
  cfg.tls_cert = dir.path() + "/missing-cert.pem";
  cfg.tls_key = dir.path() + "/missing-key.pem";
  cfg.lmdb_map_size_mb = 64;
  auto app = shopbox::App::open(cfg);
  REQUIRE(app.ok());
  shopbox::HttpServer server(**app);
  CHECK(server.bind("127.0.0.1", 0) == -1);
}
