// Outbound HTTP: every request shopbox makes to another server (webhook
// deliveries, a replica polling the catalog primary; later payment gateways
// and email APIs) goes through HttpClient. Production code has one place for
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
  std::string method = "GET";  // GET | POST
  std::string url;             // http://host[:port]/path?query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";  // POST only
  int connect_timeout_ms = 3000;
  int read_timeout_ms = 5000;
  int write_timeout_ms = 5000;
};

struct OutboundResponse {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // The answer, whatever its status; 503 `unreachable` (the message says
  // why: connection refused, timeout, ...) when none came back; 400
  // `invalid_url` for a URL that is not http(s)://host/...
  [[nodiscard]] virtual Result<OutboundResponse> send(const OutboundRequest& req) = 0;
};

// The real client (cpp-httplib), one connection per request.
std::unique_ptr<HttpClient> make_http_client();

// Splits "http://host:port/path?q" into "http://host:port" and "/path?q"
// (path "/" when absent); false unless the scheme is http or https.
bool split_url(const std::string& url, std::string& base, std::string& path);

}  // namespace shopbox
