// Outbound HTTP: every request shopbox makes to another server (webhook
// deliveries, a replica polling the catalog primary, the Stripe gateway)
// goes through HttpClient. Production code has one place for
// timeouts and URL handling; tests hand a service a fake and see exactly
// what it sent, with no network.
//
// Thread rule: send() may be called from any number of threads at once.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace shopbox {

struct OutboundRequest {
  std::string method = "GET";  // GET | POST | PUT | DELETE
  std::string url;             // http(s)://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";  // with a body (POST, PUT)
  int connect_timeout_ms = 3000;
  int read_timeout_ms = 5000;
  int write_timeout_ms = 5000;
  // The whole exchange, connecting included, ends after this long; 0 means
  // connect + write + read timeouts (libcurl has one overall deadline, not
  // one per phase). A payment gateway call sets it to its own deadline.
  int total_timeout_ms = 0;
};

struct OutboundResponse {
  int status = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers = {};  // as received (the last response's, after 1xx)
  // The value of the first header named `name` (any case); "" when absent.
  std::string header(const std::string& name) const;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // The answer, whatever its status; 503 `unreachable` (the message says
  // why: connection refused, "timed out: ...", a certificate that does not
  // verify, ...) when none came back; 400 `invalid_url` for a URL that is
  // not http(s)://host/..., 400 `invalid_method` for a method not above.
  // Redirects are not followed; HTTPS certificates are always verified.
  [[nodiscard]] virtual Result<OutboundResponse> send(const OutboundRequest& req) = 0;
};

// The real client (libcurl), one connection per request. Request bodies are
// never logged (a gateway's carry payment ids, a webhook's customer data).
std::unique_ptr<HttpClient> make_http_client();

// libcurl's process-wide initialisation, done once (thread-safe). Anything
// else in the shop that uses libcurl (email over SMTP) calls it before its
// first easy handle; make_http_client() does.
void ensure_curl_initialised();

// Splits "http://host:port/path?q" into "http://host:port" and "/path?q"
// (path "/" when absent); false unless the scheme is http or https.
bool split_url(const std::string& url, std::string& base, std::string& path);

}  // namespace shopbox
