// SIGBUS guard for copies out of (and into) a file mapping.
//
// Why: a mapped page past the file's current end raises SIGBUS when touched. Another process may truncate
// the file at any time, so every copy runs under this guard and turns the fault into an error instead of a
// dead process (docs/architecture.md#no-crash-on-a-truncated-file). The jump buffer pointer is thread-local
// and volatile: without volatile the compiler may drop the store before memcpy and the handler would not find
// it. Faults that do not happen inside a guarded copy are chained to the handler that was installed before
// ours (Electron's crashpad, a debugger, or the default action).
#pragma once
#include <cstddef>

namespace arrayscope {

// Installs the process-wide SIGBUS handler once. Safe to call repeatedly.
void InstallGuard();

// Runs fn(ctx) under the guard. Returns false if a SIGBUS interrupted it.
// fn must not allocate, throw or hold locks: a fault abandons it mid-way with siglongjmp.
bool GuardedRun(void (*fn)(void* ctx), void* ctx);

// Runs a callable under the guard (captures by reference are fine; the same rules as GuardedRun apply).
template <typename F>
bool Guarded(F& fn) {
  return GuardedRun([](void* ctx) { (*static_cast<F*>(ctx))(); }, &fn);
}

// memcpy under the guard.
bool GuardedCopy(void* dst, const void* src, size_t n);

}  // namespace arrayscope
