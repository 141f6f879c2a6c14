// Deterministic random numbers for generated data (the demo shop): the same
// seed gives the same sequence on every platform and standard library,
// which std:: distributions do not promise. Not for secrets (RAND_bytes).
//
// Thread rule: one owner; not shared between threads.
#pragma once

#include <cstddef>
#include <cstdint>

namespace shopbox {

// splitmix64: small, fast, and good enough for shop data.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool chance(int percent) { return range(1, 100) <= percent; }
  template <typename C>
  const auto& pick(const C& c) {
    return c[static_cast<size_t>(next() % c.size())];
  }

 private:
  uint64_t s_;
};

}  // namespace shopbox
