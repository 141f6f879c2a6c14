// The local fake of Stripe's API (tests/fakes/fake_stripe.py) as a child
// process for a test: started on an ephemeral port, SIGTERM at the end.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/http_client.h"

namespace shopbox::testing {

constexpr const char* kSecret = "sk_test_shopbox_fake_0123456789";
constexpr const char* kHookSecret = "whsec_shopbox_fake_0123456789";

// The fake as a child process: started on an ephemeral port, SIGTERM at the end.
class FakeStripe {
 public:
  FakeStripe() : http_(make_http_client()) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    std::string script = std::string(SHOPBOX_SOURCE_DIR) + "/tests/fakes/fake_stripe.py";
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      close(out[1]);
      execlp("python3", "python3", script.c_str(), "--port", "0", "--secret", kSecret, "--webhook-secret", kHookSecret,
             static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 200) <= 0) continue;
      char buf[128];
      ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<size_t>(n));
    }
    INFO("fake_stripe said: " << line);
    REQUIRE(line.rfind("listening on ", 0) == 0);
    port_ = std::stoi(line.substr(13));
  }
  ~FakeStripe() {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    close(fd_);
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }

  nlohmann::json call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nlohmann::json::object()) {
    OutboundRequest req;
    req.method = method;
    req.url = base() + path;
    req.body = body.dump();
    auto res = http_->send(req);
    REQUIRE(res.ok());
    INFO(res->body);
    REQUIRE(res->status == 200);
    return nlohmann::json::parse(res->body);
  }
  nlohmann::json state() { return call("GET", "/_fake/state"); }
  void configure(const nlohmann::json& settings) { call("POST", "/_fake/config", settings); }
  nlohmann::json complete_3ds(const std::string& pi, const std::string& outcome) {
    return call("POST", "/_fake/3ds/" + pi + "/complete?outcome=" + outcome);
  }

 private:
  std::unique_ptr<HttpClient> http_;
  pid_t pid_ = -1;
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace shopbox::testing
