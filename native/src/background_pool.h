// Threads of the addon's own for work nobody is waiting on right now (a chunk grid's fill ahead of a scan).
// They run at the process's priority; when a table window needs a chunk decoded at once (on libuv's pool),
// the fill's jobs running at that moment are niced so the window's decode gets a core first
// (background_pool.cc).
#pragma once
#include <napi.h>

#include <functional>

namespace arrayscope {

// Runs task on a background thread (FIFO; threads started on first use, one per core, 2 to 8).
void RunInBackground(std::function<void()> task);

// Lowers the priority of the background jobs running now by kPassNice (Linux; elsewhere nothing); each thread
// that ran one ends after it, so the next jobs run at the process's priority again (an unprivileged thread
// cannot take its nice value back). Returns how many jobs were niced. Never SCHED_IDLE: a niced job still
// gets a share of a busy machine and ends.
int YieldBackground();

// yieldBackground() → the number of running background jobs niced.
Napi::Value YieldBackgroundJs(const Napi::CallbackInfo& info);

}  // namespace arrayscope
