// Prometheus metrics: request counts and latency histograms per route,
// plus named counters and gauges that services bump (orders, payments,
// cart hits). Rendered in the Prometheus text format at /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace shopbox {

class Metrics {
 public:
  // One finished HTTP request. `route` is the route's template, not the URL.
  void observe_request(const std::string& method, const std::string& route, int status, double seconds);
  // Monotonic counter, e.g. inc("shopbox_orders_total", {{"result","created"}}).
  void inc(const std::string& name, const std::map<std::string, std::string>& labels = {}, double by = 1);
  // Gauge computed at scrape time (e.g. low-stock products).
  void gauge(const std::string& name, const std::string& help, std::function<double()> fn);
  std::string render() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;  // cumulative at render time
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> requests_;                       // key: method|route|status
  std::map<std::string, Histogram> latency_;                       // key: method|route
  std::map<std::string, std::map<std::string, double>> counters_;  // name -> labels -> value
  std::vector<std::pair<std::string, std::pair<std::string, std::function<double()>>>> gauges_;
};

}  // namespace shopbox
