// Status and Result<T>: how every layer reports failure without exceptions.
//
// A Status carries a machine-readable `code` (the API's error code, e.g.
// "out_of_stock"), a human message and optional structured details. The
// HTTP layer answers with http_status() below; nothing else turns a Status
// into a status code (checkout's idempotency record stores that answer).
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace shopbox {

enum class Kind {
  ok,
  invalid,         // bad input: 400
  unauthorized,    // no or bad credentials: 401
  payment_failed,  // gateway declined: 402
  forbidden,       // authenticated but not allowed: 403
  not_found,       // 404 (also for other users' resources)
  conflict,        // state conflict, out of stock: 409
  too_large,       // 413
  unsupported,     // a body in a media type the route does not take: 415
  unprocessable,   // well-formed but semantically wrong: 422
  rate_limited,    // 429
  internal,        // 500
  unavailable,     // 503
};

// [[nodiscard]]: a Status that nobody reads is a failure nobody handles.
class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  Status(Kind kind, std::string code, std::string message, nlohmann::json details = nlohmann::json::object())
      : kind_(kind), code_(std::move(code)), message_(std::move(message)), details_(std::move(details)) {}

  static Status Ok() { return Status(); }
  static Status Invalid(std::string message, nlohmann::json details = nlohmann::json::object()) {
    return Status(Kind::invalid, "invalid_request", std::move(message), std::move(details));
  }
  static Status NotFound(std::string message) { return Status(Kind::not_found, "not_found", std::move(message)); }
  static Status Conflict(std::string code, std::string message, nlohmann::json details = nlohmann::json::object()) {
    return Status(Kind::conflict, std::move(code), std::move(message), std::move(details));
  }
  static Status Internal(std::string message) { return Status(Kind::internal, "internal_error", std::move(message)); }

  bool ok() const { return kind_ == Kind::ok; }
  Kind kind() const { return kind_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const nlohmann::json& details() const { return details_; }

 private:
  Kind kind_ = Kind::ok;
  std::string code_;
  std::string message_;
  nlohmann::json details_ = nlohmann::json::object();
};

// The API's one table from a failure to its HTTP status. A full disk is 507
// Insufficient Storage (RFC 4918), not a generic 503: the storage layer
// marks it with the code storage_full. HTTP answers with it
// (http::send_error); checkout also stores the answer it gives under an
// Idempotency-Key with it, so a replay is the first answer byte for byte.
inline int http_status(const Status& st) {
  switch (st.kind()) {
    case Kind::ok:
      return 200;
    case Kind::invalid:
      return 400;
    case Kind::unauthorized:
      return 401;
    case Kind::payment_failed:
      return 402;
    case Kind::forbidden:
      return 403;
    case Kind::not_found:
      return 404;
    case Kind::conflict:
      return 409;
    case Kind::too_large:
      return 413;
    case Kind::unsupported:
      return 415;
    case Kind::unprocessable:
      return 422;
    case Kind::rate_limited:
      return 429;
    case Kind::internal:
      return 500;
    case Kind::unavailable:
      return st.code() == "storage_full" ? 507 : 503;
  }
  return 500;
}

// The API's error body: {"error": {"code", "message", "details"}}.
inline nlohmann::json error_body(const Status& st) {
  nlohmann::json details = st.details().is_null() ? nlohmann::json::object() : st.details();
  return {{"error", {{"code", st.code()}, {"message", st.message()}, {"details", details}}}};
}

// A 400 naming the request field at fault: details.field tells a form which
// input to mark.
inline Status field_error(const std::string& field, const std::string& message) {
  return Status::Invalid(message, {{"field", field}});
}

// For a step whose failure something else already covers (a reservation
// that expires by itself, a sweeper or start-up recovery that retries):
// the failure goes to the log, never silently away. `what` names the step.
inline void log_if_failed(const Status& st, const char* what) {
  if (!st.ok()) std::fprintf(stderr, "warning: %s: %s (%s)\n", what, st.message().c_str(), st.code().c_str());
}

// Result<T>: a value or a failed Status. Never holds an ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Status status) : v_(std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const { return std::get<Status>(v_); }
  // The failure, or Ok: for a caller that needs only whether it worked.
  Status status_or_ok() const { return ok() ? Status::Ok() : status(); }
  T& value() { return std::get<T>(v_); }
  const T& value() const { return std::get<T>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace shopbox
