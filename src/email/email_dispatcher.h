// The email module's one background thread (email.h says what it does and
// the exactly-once rule): fan new outbox events out into email rows,
// append cart.abandoned events for opted-in idle carts, send due rows.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "config.h"
#include "email/email_store.h"
#include "email/mailer.h"
#include "email/templates.h"
#include "events/outbox.h"
#include "orders/order.h"
#include "storage/sqlite.h"

namespace shopbox {

class Orders;
class Accounts;
class Cart;

// What one email says and to whom, before it becomes a MailMessage; `skip`
// set: no mail for this row (the reason is kept on the row).
struct EmailContent {
  nlohmann::json data = nlohmann::json::object();
  MailAddress to;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string skip;
};

class EmailDispatcher {
 public:
  struct Dependencies {
    Sqlite& db;
    Mailer& mailer;
    const EmailTemplates& templates;
    Orders& orders;
    Accounts& accounts;
    Cart& cart;
    const Config& config;
    std::function<Result<std::string>(int64_t user_id)> unsubscribe_url;
    ShopIdentitySource shop_identity;  // the shop's name, logo, contact (templates.h)
  };
  explicit EmailDispatcher(Dependencies deps);
  ~EmailDispatcher();
  void start();
  void stop();
  void poke();
  // One pass: fan_out, remind_abandoned_carts, send_due. Returns the
  // emails handed to the mailer.
  int run_once();
  // New email rows made from events after the cursor.
  int fan_out();
  // cart.abandoned events appended (at most once a minute unless
  // `cart_scan_every_seconds` is changed; tests set 0).
  int remind_abandoned_carts();
  int send_due();
  int64_t cart_scan_every_seconds = 60;

 private:
  void loop();
  bool stopping();
  int send_one(const EmailRow& row);
  Result<EmailContent> content_for(const outbox::Event& ev);
  Result<EmailContent> order_content(const std::string& type, const nlohmann::json& p);
  Result<EmailContent> account_content(const std::string& type, const nlohmann::json& p);
  Result<EmailContent> user_content(const std::string& type, const nlohmann::json& p);
  std::string order_url(const Order& o);
  MailMessage message_for(const EmailRow& row, const EmailContent& content, const RenderedEmail& r);
  void record(const EmailRow& row, const EmailOutcome& outcome, bool scrub_secret);

  Dependencies deps_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool poked_ = false;
  int64_t next_cart_scan_ = 0;  // the dispatcher's thread (or a test's run_once) only
};

}  // namespace shopbox
