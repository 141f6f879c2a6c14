#include "http/server.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "app.h"
#include "audit/audit.h"
#include "base/clock.h"
#include "base/utf8.h"
#include "http/rate_limit.h"

namespace shopbox {
namespace {

// "/api/v1/products/{id}" -> "/api/v1/products/([^/]+)"
std::string template_to_regex(const std::string& path) {
  std::string out;
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      i = path.find('}', i);
      out += "([^/]+)";
    } else if (std::string(".+*?()[]^$|\\").find(path[i]) != std::string::npos) {
      out += '\\';
      out += path[i];
    } else {
      out += path[i];
    }
  }
  return out;
}

// The worker pool. cpp-httplib hands each accepted connection to one pool
// thread, which keeps it for as long as the client dribbles bytes (each
// read only has to beat server.read_timeout_seconds), so with a fixed pool a
// few dozen slowloris sockets that send a header byte every second take
// every thread and the shop stops answering. This pool keeps `base`
// threads and, when none is idle, starts another (up to `max`) so a new
// connection never waits behind slow ones; the extra threads end after
// kIdleSeconds without work. Slow connections still cost a mostly sleeping
// thread each, bounded by `max` (tests/hostile/hostile_clients.py).
class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(size_t base, size_t max) : base_(base), max_(std::max(base, max)) {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < base_; ++i) spawn(false);
  }
  ~ElasticPool() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(fn));
    if (idle_ >= jobs_.size()) {
      cv_.notify_one();
    } else if (live_ < max_) {
      spawn(true);
    } else {
      cv_.notify_one();  // at the cap: the job waits for a free thread
    }
  }

  void shutdown() override {
    std::vector<std::thread> all;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_ && threads_.empty()) return;
      stopping_ = true;
      all.swap(threads_);
    }
    cv_.notify_all();
    for (auto& t : all) t.join();
  }

 private:
  static constexpr int kIdleSeconds = 10;

  // mu_ held.
  void spawn(bool extra) {
    ++live_;
    // Reap extra threads that ended since the last spawn.
    for (auto it = threads_.begin(); it != threads_.end();) {
      if (finished_.count(it->get_id())) {
        finished_.erase(it->get_id());
        it->join();
        it = threads_.erase(it);
      } else {
        ++it;
      }
    }
    threads_.emplace_back([this, extra] { work(extra); });
  }

  void work(bool extra) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      ++idle_;
      bool got =
          extra ? cv_.wait_for(lock, std::chrono::seconds(kIdleSeconds), [&] { return stopping_ || !jobs_.empty(); })
                : (cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); }), true);
      --idle_;
      if (jobs_.empty()) {
        if (stopping_ || !got) break;
        continue;
      }
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
    --live_;
    if (!stopping_) finished_.insert(std::this_thread::get_id());
  }

  const size_t base_, max_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::set<std::thread::id> finished_;
  size_t idle_ = 0, live_ = 0;
  bool stopping_ = false;
};

constexpr size_t kMaxHeaders = 100;
constexpr size_t kMaxHeaderBytes = 32 * 1024;

const char* default_error_code(int status) {
  switch (status) {
    case 400:
      return "invalid_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 405:
      return "method_not_allowed";
    case 413:
      return "payload_too_large";
    case 414:
      return "uri_too_long";
    case 429:
      return "rate_limited";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "internal_error" : "error";
  }
}

// A request's body bytes, a multipart request's files included.
size_t request_body_bytes(const http::Req& req) {
  size_t bytes = req.body.size();
  for (const auto& [name, part] : req.files) bytes += part.content.size();
  return bytes;
}

Status payload_too_large(size_t limit) {
  return Status(Kind::too_large, "payload_too_large",
                "request body too large (at most " + std::to_string(limit) + " bytes)", {{"max_bytes", limit}});
}

// The audit log (audit/audit.h): every admin write that succeeded, recorded
// here after its handler so no route can forget to. A failure to record is
// logged, not turned into an error: the change itself has been made.
void record_admin_write(App& app, const RouteInfo& info, const http::Req& req, const http::Res& res,
                        const Principal& who, nlohmann::json before, nlohmann::json after) {
  audit::Entry e;
  e.at = now_seconds();
  e.actor = who.actor();
  e.method = req.method;
  e.route = info.path;
  e.path = req.path;
  e.target = req.matches.size() > 1 ? req.matches[1].str() : std::string();
  e.status = res.status <= 0 ? 200 : res.status;
  if (info.body == Body::json) {
    e.request = audit::body_for_log(req.body, req.get_header_value("Content-Type"));
  } else {
    // An import file or a picture: its size, not its bytes.
    e.request = {{"bytes", request_body_bytes(req)}};
  }
  e.before = std::move(before);
  e.after = std::move(after);
  log_if_failed(audit::record(*app.db, e), "audit: recording an admin write");
}

bool json_answer(const http::Res& res) {
  return (res.status == 200 || res.status == 201) &&
         res.get_header_value("Content-Type").find("json") != std::string::npos;
}

}  // namespace

HttpServer::HttpServer(App& app) : app_(app) {
  const Config& cfg = app.config;
  if (!cfg.tls_cert.empty())
    server_ = std::make_unique<httplib::SSLServer>(cfg.tls_cert.c_str(), cfg.tls_key.c_str());
  else
    server_ = std::make_unique<httplib::Server>();
  auto& s = *server_;
  // Without TCP_NODELAY, Nagle's algorithm meets delayed ACKs and every
  // keep-alive response waits ~40 ms (DESIGN.md, "Measured on this machine").
  s.set_tcp_nodelay(true);
  size_t threads = static_cast<size_t>(cfg.threads);
  size_t max_threads = std::max<size_t>(1024, threads * 16);
  s.new_task_queue = [threads, max_threads] { return new ElasticPool(threads, max_threads); };
  s.set_keep_alive_timeout(cfg.keep_alive_timeout_seconds);
  s.set_keep_alive_max_count(static_cast<size_t>(cfg.keep_alive_max_count));
  s.set_payload_max_length(cfg.max_body_bytes);
  s.set_read_timeout(cfg.read_timeout_seconds, 0);
  s.set_write_timeout(cfg.write_timeout_seconds, 0);
  // cpp-httplib 0.11.4 listens with a backlog of 5, so a burst of new
  // connections (a sale starting, 32 wrk connections) sees resets before a
  // worker reads them. Remember the socket here; bind() widens the backlog.
  // cpp-httplib sets only SO_REUSEPORT on Linux; without SO_REUSEADDR a
  // restart fails while old connections on the port sit in TIME_WAIT.
  s.set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_fd_ = sock;
  });

  // Header limits: cpp-httplib caps each header line (8 KiB) and the URI
  // (8 KiB, 414) but not how many headers a request carries. Requests with
  // more than kMaxHeaders or kMaxHeaderBytes in all are refused with 431
  // before any route runs.
  s.set_pre_routing_handler([](const http::Req& req, http::Res& res) {
    size_t bytes = 0;
    for (const auto& [name, value] : req.headers) bytes += name.size() + value.size() + 4;
    if (req.headers.size() <= kMaxHeaders && bytes <= kMaxHeaderBytes)
      return httplib::Server::HandlerResponse::Unhandled;
    http::send_json(res, 431,
                    {{"error",
                      {{"code", "headers_too_large"},
                       {"message", "too many or too large request headers"},
                       {"details", {{"max_headers", kMaxHeaders}, {"max_header_bytes", kMaxHeaderBytes}}}}}});
    http::security_headers(res);
    res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });

  // Anything that reaches here without a body (no route, 413 from the
  // payload limit, 400 from the parser) gets the JSON error shape.
  s.set_error_handler([](const http::Req& req, http::Res& res) {
    if (!res.body.empty()) return;
    int status = res.status;
    std::string message = status == 404   ? "no route for " + req.method + " " + req.path
                          : status == 413 ? "request body too large"
                                          : std::string("request failed with status ") + std::to_string(status);
    http::send_json(
        res, status,
        {{"error", {{"code", default_error_code(status)}, {"message", message}, {"details", http::json::object()}}}});
    http::security_headers(res);
  });
  s.set_exception_handler([](const http::Req&, http::Res& res, std::exception_ptr) {
    http::send_error(res, Status::Internal("internal error"));
  });
}

HttpServer::~HttpServer() = default;

void HttpServer::add(RouteInfo info, Handler handler) {
  std::string pattern = template_to_regex(info.path);
  routes_.push_back(info);
  App* app = &app_;
  const HttpServer* self = this;
  if (info.method == "GET" && info.access == Access::admin) admin_readers_[info.path] = handler;
  auto wrapped = [app, self, info, handler](const http::Req& req, http::Res& res) {
    auto start = std::chrono::steady_clock::now();
    Principal::Type who_seen = Principal::Type::anonymous;
    try {
      Principal who = http::authenticate(*app, req);
      who_seen = who.type;
      int64_t retry_after = app->rate_limiter->check_request(info.group, who, http::client_ip(app->config, req));
      Status csrf = http::check_csrf(app->config, req, who, info.group == "auth");
      bool mutating = req.method != "GET" && req.method != "HEAD";
      Status media = mutating && info.body == Body::json ? http::require_json_body(req) : Status::Ok();
      if (mutating && info.body == Body::multipart && !req.is_multipart_form_data())
        media = Status(Kind::unsupported, "unsupported_media_type", "send the request body as multipart/form-data",
                       {{"content_type", req.get_header_value("Content-Type").substr(0, 100)}});
      // The route's own limit, when smaller than cpp-httplib's (widest_body_).
      size_t body_limit = info.max_body > 0 ? info.max_body : app->config.max_body_bytes;
      if (media.ok() && request_body_bytes(req) > body_limit) media = payload_too_large(body_limit);
      if (retry_after > 0) {
        res.set_header("Retry-After", std::to_string(retry_after));
        http::send_error(res, Status(Kind::rate_limited, "rate_limited", "too many requests; retry later",
                                     {{"retry_after_seconds", retry_after}}));
      } else if (!csrf.ok()) {
        http::send_error(res, csrf);
      } else if (!media.ok()) {
        http::send_error(res, media);
      } else if (auto bad = std::find_if(req.params.begin(), req.params.end(),
                                         [](const auto& p) { return !valid_utf8(p.first) || !valid_utf8(p.second); });
                 bad != req.params.end()) {
        // Query values reach JSON (responses, filters) that only holds UTF-8.
        http::send_error(res, Status::Invalid("query parameters must be UTF-8 text",
                                              {{"field", valid_utf8(bad->first) ? bad->first : std::string("?")}}));
      } else if (info.access == Access::admin && !who.is_admin()) {
        http::send_error(res, who.type == Principal::Type::anonymous
                                  ? Status(Kind::unauthorized, "unauthorized", "admin credentials required")
                                  : Status(Kind::forbidden, "forbidden", "admin role required"));
      } else if (Status denied = info.access == Access::admin
                                     ? http::check_admin_permission(who, info.method, info.path)
                                     : Status::Ok();
                 !denied.ok()) {
        // The staff role or key scope lacks the route's permission (http/permissions.h).
        http::send_error(res, denied);
      } else if (info.access == Access::admin && mutating) {
        self->run_admin_write(info, handler, req, res, who);
      } else if (info.access == Access::user && who.type == Principal::Type::anonymous) {
        http::send_error(res, Status(Kind::unauthorized, "unauthorized", "sign in required"));
      } else {
        handler(req, res, who);
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "error: %s %s: %s\n", req.method.c_str(), info.path.c_str(), e.what());
      http::send_error(res, Status::Internal("internal error"));
    }
    http::security_headers(res);
    // Whatever a signed-in caller (or a guest's cart) gets is personal: no
    // browser or proxy cache may keep it.
    if (who_seen != Principal::Type::anonymous || info.group == "cart" || info.group == "checkout")
      res.set_header("Cache-Control", "no-store");
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    app->metrics.observe_request(req.method, info.path, res.status, secs);
  };
  compiled_.push_back({info.method, std::regex(pattern), wrapped});
  if (info.max_body > widest_body_ && info.max_body > app_.config.max_body_bytes) {
    widest_body_ = info.max_body;
    server_->set_payload_max_length(widest_body_);
  }
  auto& s = *server_;
  if (info.method == "GET")
    s.Get(pattern, wrapped);
  else if (info.method == "POST")
    s.Post(pattern, wrapped);
  else if (info.method == "PUT")
    s.Put(pattern, wrapped);
  else if (info.method == "PATCH")
    s.Patch(pattern, wrapped);
  else if (info.method == "DELETE")
    s.Delete(pattern, wrapped);
}

int HttpServer::bind(const std::string& host, int port) {
  if (!server_->is_valid()) {
    // SSLServer could not load the certificate or key (or they do not match).
    std::fprintf(stderr,
                 "error: cannot use TLS certificate %s with key %s (missing, unreadable, or not a matching PEM pair)\n",
                 app_.config.tls_cert.c_str(), app_.config.tls_key.c_str());
    return -1;
  }
  int bound = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
  // Calling listen() again on a listening socket updates its backlog (Linux).
  if (bound > 0 && listen_fd_ >= 0) ::listen(listen_fd_, SOMAXCONN);
  return bound;
}

// The write's own template when an admin GET has it (PUT /settings, PATCH
// /discounts/{id}), else the nearest parent template with an id, so a
// refund's snapshot is its order and a variant's its product. A POST to a
// collection creates: the GET of that path is a list, not the new thing.
HttpServer::SnapshotRead HttpServer::snapshot_read(const RouteInfo& write, const std::string& path) const {
  std::string route = write.path;
  std::string at = path;
  for (bool own = true;; own = false) {
    auto it = admin_readers_.find(route);
    bool names_one = route.find('{') != std::string::npos || (own && write.method != "POST");
    if (it != admin_readers_.end() && names_one) return {&it->second, route, at};
    size_t cut = route.rfind('/');
    size_t cut_at = at.rfind('/');
    if (cut == std::string::npos || cut_at == std::string::npos || route.compare(0, cut, "/api/v1/admin") == 0)
      return {};
    route.resize(cut);
    at.resize(cut_at);
  }
}

// Runs the GET handler in-process as the same caller (never a route it may
// not read); its JSON answer, redacted, or null.
nlohmann::json HttpServer::read_snapshot(const SnapshotRead& read, const Principal& who) const {
  if (read.handler == nullptr || !http::check_admin_permission(who, "GET", read.route).ok()) return nullptr;
  http::Req get;
  get.method = "GET";
  get.path = read.path;
  std::regex pattern(template_to_regex(read.route));
  if (!std::regex_match(get.path, get.matches, pattern)) return nullptr;
  http::Res res;
  try {
    (*read.handler)(get, res, who);
  } catch (const std::exception&) {
    return nullptr;
  }
  return res.status == 200 ? audit::snapshot_for_log(res.body) : nullptr;
}

void HttpServer::run_admin_write(const RouteInfo& info, const Handler& handler, const http::Req& req, http::Res& res,
                                 const Principal& who) const {
  SnapshotRead read = snapshot_read(info, req.path);
  nlohmann::json before = read_snapshot(read, who);
  handler(req, res, who);
  if (res.status >= 400) return;
  // With nothing to read the thing through, the write's own answer is the
  // best "after" there is (a created product, a bulk edit's counts).
  nlohmann::json after = read.handler       ? read_snapshot(read, who)
                         : json_answer(res) ? audit::snapshot_for_log(res.body)
                                            : nlohmann::json();
  record_admin_write(app_, info, req, res, who, std::move(before), std::move(after));
}

bool HttpServer::dispatch(http::Req& req, http::Res& res) const {
  for (const auto& route : compiled_) {
    if (route.method != req.method) continue;
    if (!std::regex_match(req.path, req.matches, route.pattern)) continue;
    route.handler(req, res);
    return true;
  }
  return false;
}

bool HttpServer::serve() {
  return server_->listen_after_bind();
}

void HttpServer::stop() {
  server_->stop();
}

}  // namespace shopbox
