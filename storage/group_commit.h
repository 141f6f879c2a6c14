// Group commit: the queue both stores (Sqlite::write, Lmdb::write) use to
// turn many concurrent durable writes into one transaction and one sync.
//
// A caller enqueues its callback and waits. Whenever no batch is being
// committed, the first waiting caller becomes the committer: it takes up to
// kMaxBatch queued callbacks (its own included), hands them to the store's
// commit function (which runs each in its own savepoint / nested
// transaction, commits once and sets each one's Status), marks them done
// and wakes everyone. Callbacks therefore run one at a time, in queue
// order, sometimes on another caller's thread.
//
// A write issued from inside a callback of a batch being committed (a
// SQLite callback that also writes LMDB) commits alone: a committer never
// runs other callers' callbacks while it is itself inside a callback, so
// the lock order between the stores stays what it was with plain mutexes.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <vector>

#include "base/status.h"

namespace shopbox {

// How many group-commit batches this thread is committing right now.
inline thread_local int group_commit_depth = 0;

template <typename Target>
class GroupCommit {
 public:
  struct Pending {
    const std::function<Status(Target&)>* fn = nullptr;
    Status status;
    std::exception_ptr error;  // a foreign exception from fn, rethrown to its caller
    bool durable = true;       // false: may commit without a sync of its own
    bool done = false;
  };
  using Batch = std::vector<Pending*>;
  static constexpr size_t kMaxBatch = 128;

  // Runs fn through `commit` (called with a batch) and returns fn's Status
  // once the batch holding it is committed.
  Status run(const std::function<Status(Target&)>& fn, const std::function<void(Batch&)>& commit, bool durable = true) {
    Pending me;
    me.fn = &fn;
    me.durable = durable;
    const bool nested = group_commit_depth > 0;
    std::unique_lock<std::mutex> lock(mu_);
    queue_.push_back(&me);
    while (!me.done) {
      if (!committing_) {
        committing_ = true;
        Batch batch;
        if (nested) {
          queue_.erase(std::find(queue_.begin(), queue_.end(), &me));
          batch.push_back(&me);
        } else {
          size_t n = std::min(queue_.size(), kMaxBatch);
          batch.assign(queue_.begin(), queue_.begin() + static_cast<long>(n));
          queue_.erase(queue_.begin(), queue_.begin() + static_cast<long>(n));
        }
        lock.unlock();
        ++group_commit_depth;
        try {
          commit(batch);
        } catch (...) {
          for (Pending* p : batch)
            if (p->status.ok() && !p->error) p->error = std::current_exception();
        }
        --group_commit_depth;
        lock.lock();
        committing_ = false;
        ++transactions_;
        writes_ += batch.size();
        for (Pending* p : batch) p->done = true;
        cv_.notify_all();  // the batch's callers, and the next committer
        continue;
      }
      cv_.wait(lock);
    }
    lock.unlock();
    if (me.error) std::rethrow_exception(me.error);
    return me.status;
  }

  // Batches committed and callbacks run so far.
  std::pair<uint64_t, uint64_t> counts() {
    std::lock_guard<std::mutex> lock(mu_);
    return {transactions_, writes_};
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  Batch queue_;
  bool committing_ = false;
  uint64_t transactions_ = 0, writes_ = 0;
};

}  // namespace shopbox
