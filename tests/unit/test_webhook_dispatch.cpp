// The webhook dispatcher built from its parts (a database and an HttpClient)
// with a fake network: what it sends, and what it does with each answer.
#include <catch2/catch.hpp>
#include <mutex>

#include "base/crypto.h"
#include "base/http_client.h"
#include "config.h"
#include "events/outbox.h"
#include "schema.h"
#include "support/test_shop.h"

using namespace shopbox;

namespace {

// Answers each request with the next queued status (or an unreachable
// error for 0) and keeps what it was sent.
class FakeNetwork : public HttpClient {
 public:
  std::vector<int> answers;
  std::vector<OutboundRequest> sent;
  Result<OutboundResponse> send(const OutboundRequest& req) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent.push_back(req);
    int status = answers.empty() ? 200 : answers.front();
    if (!answers.empty()) answers.erase(answers.begin());
    if (status == 0) return Status(Kind::unavailable, "unreachable", "Connection refused");
    return OutboundResponse{status, "{}"};
  }

 private:
  std::mutex mu_;
};

std::string header(const OutboundRequest& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

std::string delivery_status(Sqlite& db, int64_t* attempts) {
  std::string status;
  REQUIRE(db.read([&](Connection& c) {
              auto st = c.prepare("SELECT status, attempts FROM webhook_deliveries");
              if (st.step()) {
                status = st.text(0);
                *attempts = st.int64(1);
              }
              return Status::Ok();
            }).ok());
  return status;
}

}  // namespace

TEST_CASE("webhooks go out through the HttpClient: signed, retried, then delivered", "[webhooks][unit]") {
  testing::TempDir dir;
  auto db = std::move(Sqlite::open(dir.path() + "/shop.db", all_migrations()).value());
  Config config;
  config.webhook_urls = "https://merchant.example/hooks/shopbox";
  config.webhook_secret = "whsec_unit_0123456789";
  config.webhook_backoff_ms = 0;
  FakeNetwork net;
  net.answers = {0, 500, 204};  // refused, a server error, then accepted
  WebhookDispatcher dispatcher(*db, net, config);

  REQUIRE(db->write([&](Connection& c) {
              outbox::append(c, "order.paid", {{"order_id", "ord_s1_0123456789abcdef"}});
              return Status::Ok();
            }).ok());

  int64_t attempts = 0;
  CHECK(dispatcher.run_once() == 1);
  CHECK(delivery_status(*db, &attempts) == "pending");
  CHECK(attempts == 1);
  CHECK(dispatcher.run_once() == 1);
  CHECK(delivery_status(*db, &attempts) == "pending");
  CHECK(dispatcher.run_once() == 1);
  CHECK(delivery_status(*db, &attempts) == "delivered");
  CHECK(attempts == 3);
  CHECK(dispatcher.run_once() == 0);  // nothing left to send

  REQUIRE(net.sent.size() == 3);
  const OutboundRequest& r = net.sent.back();
  CHECK(r.method == "POST");
  CHECK(r.url == config.webhook_urls);
  CHECK(header(r, "X-Shopbox-Event") == "order.paid");
  // The receiver can check the body came from the shop.
  CHECK(header(r, "X-Shopbox-Signature") == "sha256=" + hmac_sha256_hex(config.webhook_secret, r.body));
  auto body = nlohmann::json::parse(r.body);
  CHECK(body["type"] == "order.paid");
  CHECK(body["data"]["order_id"] == "ord_s1_0123456789abcdef");
  // Every attempt carried the same body: receivers de-duplicate by its id.
  CHECK(net.sent.front().body == r.body);
}

TEST_CASE("a webhook URL that is not http(s) fails its delivery without a request", "[webhooks][unit]") {
  testing::TempDir dir;
  auto db = std::move(Sqlite::open(dir.path() + "/shop.db", all_migrations()).value());
  Config config;
  config.webhook_urls = "ftp://merchant.example/hooks";
  config.webhook_secret = "whsec_unit_0123456789";
  config.webhook_backoff_ms = 0;
  config.webhook_max_attempts = 1;
  auto real = make_http_client();  // refuses before any network: invalid_url
  WebhookDispatcher dispatcher(*db, *real, config);
  REQUIRE(db->write([&](Connection& c) {
              outbox::append(c, "order.created", {{"order_id", "ord_s1_x"}});
              return Status::Ok();
            }).ok());
  CHECK(dispatcher.run_once() == 1);
  int64_t attempts = 0;
  CHECK(delivery_status(*db, &attempts) == "failed");
  std::string error;
  REQUIRE(db->read([&](Connection& c) {
              auto st = c.prepare("SELECT last_error FROM webhook_deliveries");
              if (st.step()) error = st.text(0);
              return Status::Ok();
            }).ok());
  CHECK(error == "invalid URL");
}
