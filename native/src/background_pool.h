// Threads of the addon's own for work nobody is waiting on right now (a chunk grid's fill ahead of a scan),
// niced like a pass's workers, so that work an interactive request waits for — a table window's chunk decoded
// on libuv's pool at the process's priority — gets a core first (background_pool.cc).
#pragma once
#include <functional>

namespace arrayscope {

// Runs task on a background thread (FIFO; threads started on first use, one per core, 2 to 8, each niced by
// kPassNice: a lower priority but still a share of the CPU, never SCHED_IDLE: a busy machine finishes it).
void RunInBackground(std::function<void()> task);

}  // namespace arrayscope
