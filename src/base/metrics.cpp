#include "base/metrics.h"

#include <cstdio>
#include <sstream>

namespace shopbox {
namespace {
const double kBuckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
constexpr size_t kNumBuckets = sizeof(kBuckets) / sizeof(kBuckets[0]);

std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}
std::string label_text(const std::map<std::string, std::string>& labels) {
  std::string s;
  for (const auto& [k, v] : labels) s += (s.empty() ? "" : ",") + k + "=\"" + escape_label(v) + "\"";
  return s;
}
}  // namespace

void Metrics::observe_request(const std::string& method, const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mu_);
  requests_[method + "|" + route + "|" + std::to_string(status)]++;
  auto& h = latency_[method + "|" + route];
  if (h.buckets.empty()) h.buckets.assign(kNumBuckets, 0);
  for (size_t i = 0; i < kNumBuckets; ++i)
    if (seconds <= kBuckets[i]) {
      h.buckets[i]++;
      break;
    }
  h.count++;
  h.sum += seconds;
}

void Metrics::inc(const std::string& name, const std::map<std::string, std::string>& labels, double by) {
  std::lock_guard<std::mutex> lock(mu_);
  counters_[name][label_text(labels)] += by;
}

void Metrics::gauge(const std::string& name, const std::string& help, std::function<double()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  gauges_.push_back({name, {help, std::move(fn)}});
}

std::string Metrics::render() const {
  std::ostringstream o;
  std::vector<std::pair<std::string, std::pair<std::string, std::function<double()>>>> gauges;
  {
    std::lock_guard<std::mutex> lock(mu_);
    o << "# HELP shopbox_http_requests_total HTTP requests by route and status.\n"
         "# TYPE shopbox_http_requests_total counter\n";
    for (const auto& [key, n] : requests_) {
      auto a = key.find('|'), b = key.rfind('|');
      o << "shopbox_http_requests_total{method=\"" << key.substr(0, a) << "\",route=\""
        << escape_label(key.substr(a + 1, b - a - 1)) << "\",status=\"" << key.substr(b + 1) << "\"} " << n << "\n";
    }
    o << "# HELP shopbox_http_request_duration_seconds Request latency by route.\n"
         "# TYPE shopbox_http_request_duration_seconds histogram\n";
    for (const auto& [key, h] : latency_) {
      auto a = key.find('|');
      std::string labels = "method=\"" + key.substr(0, a) + "\",route=\"" + escape_label(key.substr(a + 1)) + "\"";
      uint64_t cum = 0;
      for (size_t i = 0; i < kNumBuckets; ++i) {
        cum += h.buckets[i];
        char le[32];
        std::snprintf(le, sizeof le, "%g", kBuckets[i]);
        o << "shopbox_http_request_duration_seconds_bucket{" << labels << ",le=\"" << le << "\"} " << cum << "\n";
      }
      o << "shopbox_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} " << h.count << "\n";
      o << "shopbox_http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n";
      o << "shopbox_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
    }
    for (const auto& [name, series] : counters_) {
      o << "# TYPE " << name << " counter\n";
      for (const auto& [labels, v] : series)
        o << name << (labels.empty() ? "" : "{" + labels + "}") << " " << v << "\n";
    }
    gauges = gauges_;
  }
  for (const auto& [name, g] : gauges) {
    o << "# HELP " << name << " " << g.first << "\n# TYPE " << name << " gauge\n" << name << " " << g.second() << "\n";
  }
  return o.str();
}

}  // namespace shopbox
