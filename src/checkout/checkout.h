// The checkout saga (DESIGN.md "Checkout"): POST /api/v1/orders.
//
//   1. Idempotency-Key: a completed key replays its stored response (same
//      status and body); a different body under the key is 422; a key still
//      being processed makes the second request wait for the first.
//   2. Reserve every line in one LMDB transaction (409 out_of_stock).
//   3. Step log: idempotency record + checkout_attempts row (step reserved),
//      one SQLite transaction.
//   4. Charge through the gateway (authorize + capture; the attempt id is the
//      gateway idempotency key). Decline: 402, reservation released.
//   5. Order + payment transaction + outbox events + completed idempotency
//      record + attempt step 'ordered', ONE SQLite transaction.
//   6. Consume the reservation, clear the purchased lines from the cart,
//      attempt 'completed' (+ inventory.low events).
// recover() (start-up) finishes or compensates every attempt a crash left
// unfinished: before the order exists it refunds/voids any charge made with
// the attempt's key, releases the reservation and forgets the idempotency
// record (the client's retry starts afresh); once the order exists it
// consumes the reservation and clears the cart (idempotent steps).
// recover_stale() does the same while serving, for attempts untouched for
// longer than any request can take: a checkout whose order write and
// compensation both failed (a full disk, say) is settled by the sweeper
// instead of waiting for a restart, and its Idempotency-Key is freed.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/status.h"
#include "storage/order_store.h"

namespace shopbox {

struct App;

struct CheckoutRequest {
  int64_t user_id = 0;
  std::string idempotency_key;
  std::string client_ip;
  std::string body;  // the request body (JSON text)
};

struct CheckoutResponse {
  int status = 0;
  nlohmann::json body;
  bool replayed = false;
};

class Checkout {
 public:
  explicit Checkout(App& app) : app_(app) {}

  // Never throws; every outcome is a status and a JSON body.
  CheckoutResponse place_order(const CheckoutRequest& req);

  struct RecoveryReport {
    int finished = 0;
    int compensated = 0;
  };
  // Start-up recovery of interrupted checkouts.
  RecoveryReport recover();
  // Runtime recovery (the sweeper): only attempts whose last step is older
  // than `min_age_seconds`, so no checkout still in flight is touched.
  RecoveryReport recover_stale(int64_t min_age_seconds);
  // An attempt untouched this long is not in flight: a checkout takes at
  // most a few gateway timeouts (seconds), never minutes.
  static constexpr int64_t kStaleAttemptSeconds = 300;
  // The most lines one order (and so one refund or return) holds.
  static constexpr size_t kMaxLines = 200;
  // The fraud velocity rules (checkout.max_orders_per_*_hour) count orders
  // over this window.
  static constexpr int64_t kVelocityWindowSeconds = 3600;
  // How long a request waits for another one under the same
  // Idempotency-Key to finish before answering 409 (a checkout takes a few
  // gateway timeouts at most).
  static constexpr int kIdempotencyWaitSeconds = 20;

  // Deletes idempotency records older than the retention.
  int64_t purge_idempotency();

 private:
  CheckoutResponse run(const CheckoutRequest& req);
  // Finishes or compensates the unfinished attempts last updated before
  // `updated_before` (seconds); `when` names the occasion in their log.
  RecoveryReport recover_attempts(int64_t updated_before, const char* when);
  // Step 9 (also run by recovery): consume the reservation, clear the cart
  // lines, mark the attempt completed. Safe to repeat.
  void finish_order(const std::string& attempt_id, const std::string& order_id, const std::string& reservation_id,
                    const std::string& cart_owner, const std::vector<OrderItem>& items);
  App& app_;
};

}  // namespace shopbox
