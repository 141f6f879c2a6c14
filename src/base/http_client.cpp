#include "base/http_client.h"

#include <httplib.h>

namespace shopbox {

bool split_url(const std::string& url, std::string& base, std::string& path) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  auto slash = url.find('/', scheme + 3);
  base = slash == std::string::npos ? url : url.substr(0, slash);
  path = slash == std::string::npos ? "/" : url.substr(slash);
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

namespace {

class HttplibClient : public HttpClient {
 public:
  Result<OutboundResponse> send(const OutboundRequest& req) override {
    std::string base, path;
    if (!split_url(req.url, base, path))
      return Status(Kind::invalid, "invalid_url", "not an http(s) URL: " + req.url.substr(0, 200));
    httplib::Client cli(base);
    auto ms = [](int v) { return std::chrono::milliseconds(v); };
    cli.set_connection_timeout(ms(req.connect_timeout_ms));
    cli.set_read_timeout(ms(req.read_timeout_ms));
    cli.set_write_timeout(ms(req.write_timeout_ms));
    httplib::Headers headers(req.headers.begin(), req.headers.end());
    httplib::Result res =
        req.method == "POST" ? cli.Post(path, headers, req.body, req.content_type) : cli.Get(path, headers);
    if (!res) return Status(Kind::unavailable, "unreachable", httplib::to_string(res.error()));
    return OutboundResponse{res->status, res->body};
  }
};

}  // namespace

std::unique_ptr<HttpClient> make_http_client() {
  return std::make_unique<HttplibClient>();
}

}  // namespace shopbox
