// Why threads of our own and not libuv's pool: a thread's nice value can be raised without privilege but not
// lowered again, so a pool thread niced for a fill job would stay niced for whatever libuv runs on it next
// (fs calls, zlib, a window's decode). These threads are niced once, when they start, and run only background
// work. They live as long as the process (a pool that is never destroyed: detached threads may still wait on
// its condition variable when static destructors run).
#include "background_pool.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#ifdef __linux__
#include <pthread.h>
#endif

#include "pass.h"

namespace arrayscope {
namespace {

struct Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> queue;
  int threads = 0;
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

void Loop(Pool* pool) {
#ifdef __linux__
  // named, so a test (and a profiler) can tell these threads and see their nice value
  pthread_setname_np(pthread_self(), "arrayscope-bg");
#endif
  BackgroundPriority();
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(pool->mu);
      ++pool->idle;
      pool->cv.wait(lock, [&] { return !pool->queue.empty(); });
      --pool->idle;
      task = std::move(pool->queue.front());
      pool->queue.pop_front();
    }
    task();
  }
}

}  // namespace

void RunInBackground(std::function<void()> task) {
  Pool& pool = ThePool();
  std::lock_guard<std::mutex> lock(pool.mu);
  pool.queue.push_back(std::move(task));
  if (pool.idle < static_cast<int>(pool.queue.size()) && pool.threads < MostThreads()) {
    ++pool.threads;
    std::thread(Loop, &pool).detach();
  } else {
    pool.cv.notify_one();
  }
}

}  // namespace arrayscope
