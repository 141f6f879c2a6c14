// Request limits and security headers: body size (413), header count and
// size (431), URI length (414), slow clients (read timeout), and the
// headers every response carries.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "support/test_shop.h"

using shopbox::testing::Headers;
using shopbox::testing::TestShop;
using json = nlohmann::json;

TEST_CASE("every response carries the security headers, errors included", "[http][limits]") {
  TestShop shop;
  for (auto r : {shop.get("/healthz"), shop.get("/api/v1/products"), shop.get("/api/v1/nothing"),
                 shop.get("/api/v1/me"), shop.get("/")}) {
    INFO(r.status);
    CHECK(r.header("X-Content-Type-Options") == "nosniff");
    CHECK(r.header("Referrer-Policy") == "strict-origin-when-cross-origin");
    CHECK(r.header("X-Frame-Options") == "DENY");
    std::string csp = r.header("Content-Security-Policy");
    CHECK(csp.find("default-src 'self'") != std::string::npos);
    CHECK(csp.find("script-src 'self';") != std::string::npos);  // no inline script, no other origin
    CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
    CHECK(csp.find("object-src 'none'") != std::string::npos);
  }
}

TEST_CASE("oversized bodies, too many headers and long URIs are refused as JSON", "[http][limits]") {
  TestShop shop([](shopbox::Config& c) { c.max_body_bytes = 4096; });
  auto big = shop.post_raw("/api/v1/auth/login", std::string(10000, ' '));
  CHECK(big.status == 413);
  CHECK(big.body["error"]["code"] == "payload_too_large");

  Headers many;
  for (int i = 0; i < 150; ++i) many.emplace("X-Filler-" + std::to_string(i), "x");
  auto r = shop.get("/api/v1/products", many);
  CHECK(r.status == 431);
  CHECK(r.body["error"]["code"] == "headers_too_large");

  Headers fat;
  for (int i = 0; i < 8; ++i) fat.emplace("X-Fat-" + std::to_string(i), std::string(6000, 'y'));
  CHECK(shop.get("/api/v1/products", fat).status == 431);

  auto uri = shop.get("/api/v1/products?q=" + std::string(10000, 'a'));
  CHECK(uri.status == 414);
  // The server is still fine.
  CHECK(shop.get("/healthz").status == 200);
}

TEST_CASE("a client that stops sending is cut off after the read timeout", "[http][limits]") {
  TestShop shop([](shopbox::Config& c) { c.read_timeout_seconds = 1; });
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(shop.port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ";
  REQUIRE(send(fd, partial.data(), partial.size(), 0) == static_cast<ssize_t>(partial.size()));
  auto start = std::chrono::steady_clock::now();
  char buf[512];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  close(fd);
  CHECK(n == 0);        // the server closed the connection...
  CHECK(waited < 8.0);  // ...long before our own 10 s receive timeout
  CHECK(shop.get("/healthz").status == 200);
}
