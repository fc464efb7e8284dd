// Why threads of our own and not libuv's pool: a thread's nice value can be raised without privilege but not
// lowered again, so a pool thread niced for a fill job would stay niced for whatever libuv runs on it next
// (fs calls, zlib, a window's decode). Here a niced thread ends after its job, and a new thread (created by
// the JS thread, so at the process's priority) takes the next. Niced only while a window waits: a fill that
// is niced all along would crawl on a machine busy with other programs, a window or not. The pool is never
// destroyed: detached threads may still wait on its condition variable when static destructors run.
#include "background_pool.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

#ifdef __linux__
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#endif

#include "pass.h"

namespace arrayscope {
namespace {

struct Slot {
  long tid = 0;
  bool busy = false;
  bool retire = false;  // niced during its job: ends after it
};

struct Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;
  std::list<Slot> slots;  // one per thread (list: stable addresses)
  int idle = 0;
};

Pool& ThePool() {
  static Pool* pool = new Pool();  // never destroyed (see above)
  return *pool;
}

int MostThreads() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores, 2, 8);
}

void Loop(Pool* pool, Slot* slot) {
#ifdef __linux__
  // named, so a test (and a profiler) can tell these threads and see their nice value
  pthread_setname_np(pthread_self(), "arrayscope-bg");
  {
    std::lock_guard<std::mutex> lock(pool->mu);
    slot->tid = static_cast<long>(syscall(SYS_gettid));
  }
#endif
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(pool->mu);
      ++pool->idle;
      pool->cv.wait(lock, [&] { return !pool->queue.empty(); });
      --pool->idle;
      task = std::move(pool->queue.front());
      pool->queue.pop_front();
      slot->busy = true;
    }
    task();
    std::lock_guard<std::mutex> lock(pool->mu);
    slot->busy = false;
    // niced: ends, unless jobs wait that no idle thread takes (it runs them first, niced, rather than leave
    // them to a thread nobody starts: only the JS thread starts threads, at the process's priority)
    if (slot->retire && (pool->queue.empty() || pool->idle > 0)) {
      // the list entry goes with the thread
      for (auto it = pool->slots.begin(); it != pool->slots.end(); ++it)
        if (&*it == slot) {
          pool->slots.erase(it);
          break;
        }
      if (!pool->queue.empty()) pool->cv.notify_one();
      return;
    }
  }
}

}  // namespace

void RunInBackground(std::function<void()> task) {
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mu);
  pool.queue.push_back(std::move(task));
  if (pool.idle < static_cast<int>(pool.queue.size()) &&
      static_cast<int>(pool.slots.size()) < MostThreads()) {
    pool.slots.emplace_back();
    std::thread(Loop, &pool, &pool.slots.back()).detach();
  } else {
    pool.cv.notify_one();
  }
}

int YieldBackground() {
  int niced = 0;
#ifdef __linux__
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mu);
  for (Slot& s : pool.slots) {
    if (!s.busy || s.retire || s.tid == 0) continue;
    // another thread of this process, by its id: raising its nice needs no privilege
    errno = 0;
    const int now = getpriority(PRIO_PROCESS, static_cast<id_t>(s.tid));
    if (errno != 0) continue;
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(s.tid), std::min(19, now + kPassNice)) != 0) continue;
    s.retire = true;
    ++niced;
  }
#endif
  return niced;
}

Napi::Value YieldBackgroundJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), YieldBackground());
}

}  // namespace arrayscope
