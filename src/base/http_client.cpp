// The real HttpClient over libcurl: HTTPS with certificate verification
// (the system's CA store), one easy handle per request, no redirects.
#include "base/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace shopbox {

bool split_url(const std::string& url, std::string& base, std::string& path) {
  auto scheme = url.find("://");
  if (scheme == std::string::npos) return false;
  auto slash = url.find('/', scheme + 3);
  base = slash == std::string::npos ? url : url.substr(0, slash);
  path = slash == std::string::npos ? "/" : url.substr(slash);
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string OutboundResponse::header(const std::string& name) const {
  auto same = [](const std::string& a, const std::string& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
             return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
  };
  for (const auto& h : headers)
    if (same(h.first, name)) return h.second;
  return "";
}

void ensure_curl_initialised() {
  // A function-local static runs curl_global_init exactly once, and every
  // other caller waits for it: curl_global_init itself is not thread-safe.
  static const CURLcode once = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (once != CURLE_OK) throw std::runtime_error("curl_global_init failed");
}

namespace {

// Answers larger than this are refused rather than held in memory (the
// largest the shop reads is a replica's page of catalog changes).
constexpr size_t kCurlMaxBody = 64u << 20;

struct CurlExchange {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool too_large = false;
};

size_t curl_on_body(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<CurlExchange*>(user);
  size_t len = size * n;
  if (ex->body.size() + len > kCurlMaxBody) {
    ex->too_large = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  ex->body.append(data, len);
  return len;
}

std::string curl_trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

size_t curl_on_header(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<CurlExchange*>(user);
  size_t len = size * n;
  std::string line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    ex->headers.clear();  // a new status line (after 100 Continue): its headers alone count
  } else if (auto colon = line.find(':'); colon != std::string::npos) {
    ex->headers.emplace_back(curl_trim(line.substr(0, colon)), curl_trim(line.substr(colon + 1)));
  }
  return len;
}

// Owns the easy handle and the header list of one request.
struct CurlHandles {
  CURL* easy = curl_easy_init();
  curl_slist* headers = nullptr;
  ~CurlHandles() {
    curl_slist_free_all(headers);
    if (easy) curl_easy_cleanup(easy);
  }
  void add_header(const std::string& line) {
    if (curl_slist* next = curl_slist_append(headers, line.c_str())) headers = next;
  }
};

// Why no answer came back, in words an operator can act on.
std::string curl_reason(CURLcode code, const char* errbuf) {
  std::string detail = errbuf[0] ? errbuf : curl_easy_strerror(code);
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return "timed out: " + detail;
    case CURLE_COULDNT_CONNECT:
      return "connection refused: " + detail;
    case CURLE_COULDNT_RESOLVE_HOST:
      return "unknown host: " + detail;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
      return "TLS certificate not trusted: " + detail;
    default:
      return detail;
  }
}

class CurlClient : public HttpClient {
 public:
  CurlClient() { ensure_curl_initialised(); }

  Result<OutboundResponse> send(const OutboundRequest& req) override {
    std::string base, path;
    if (!split_url(req.url, base, path))
      return Status(Kind::invalid, "invalid_url", "not an http(s) URL: " + req.url.substr(0, 200));
    bool with_body = req.method == "POST" || req.method == "PUT";
    if (!with_body && req.method != "GET" && req.method != "DELETE")
      return Status(Kind::invalid, "invalid_method", "unsupported HTTP method: " + req.method.substr(0, 20));
    for (const auto& hd : req.headers)
      if ((hd.first + hd.second).find_first_of("\r\n") != std::string::npos)
        return Status(Kind::invalid, "invalid_header", "a header holds a line break: " + hd.first.substr(0, 60));
    CurlHandles h;
    if (!h.easy) return Status(Kind::unavailable, "unreachable", "libcurl could not make a handle");
    CurlExchange ex;
    char errbuf[CURL_ERROR_SIZE] = {0};
    configure(h, req, with_body, ex, errbuf);
    CURLcode code = curl_easy_perform(h.easy);
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL)
      return Status(Kind::invalid, "invalid_url", "not an http(s) URL: " + req.url.substr(0, 200));
    if (ex.too_large) return Status(Kind::unavailable, "unreachable", "the answer was larger than 64 MiB");
    if (code != CURLE_OK) return Status(Kind::unavailable, "unreachable", curl_reason(code, errbuf));
    long status = 0;
    curl_easy_getinfo(h.easy, CURLINFO_RESPONSE_CODE, &status);
    return OutboundResponse{static_cast<int>(status), std::move(ex.body), std::move(ex.headers)};
  }

 private:
  static void configure(CurlHandles& h, const OutboundRequest& req, bool with_body, CurlExchange& ex, char* errbuf) {
    CURL* e = h.easy;
    curl_easy_setopt(e, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
    // No signals: timeouts must not use SIGALRM in a threaded server.
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    long connect_ms = std::max(1, req.connect_timeout_ms);
    long total_ms = req.total_timeout_ms > 0 ? req.total_timeout_ms
                                             : static_cast<long>(connect_ms) + std::max(0, req.write_timeout_ms) +
                                                   std::max(1, req.read_timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, std::min(connect_ms, total_ms));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, total_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, curl_on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &ex);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, curl_on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &ex);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "shopbox");
    for (const auto& [name, value] : req.headers) h.add_header(name + ": " + value);
    // Without this libcurl waits for a "100 Continue" before a large body.
    h.add_header("Expect:");
    if (with_body) {
      h.add_header("Content-Type: " + req.content_type);
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, req.body.c_str());
      if (req.method == "PUT") curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
    } else if (req.method == "DELETE") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h.headers);
  }
};

}  // namespace

std::unique_ptr<HttpClient> make_http_client() {
  return std::make_unique<CurlClient>();
}

}  // namespace shopbox
