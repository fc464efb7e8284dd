#include "guard.h"

#include <cstring>

#ifndef _WIN32
#include <setjmp.h>
#include <signal.h>
#endif

namespace arrayscope {

#ifndef _WIN32
namespace {

thread_local sigjmp_buf* volatile g_jump = nullptr;
struct sigaction g_previous;
bool g_installed = false;

void OnSigbus(int sig, siginfo_t* info, void* uctx) {
  sigjmp_buf* jump = g_jump;
  if (jump != nullptr) {
    g_jump = nullptr;
    siglongjmp(*jump, 1);
  }
  // Not ours: chain to whatever was there before.
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(sig, info, uctx);
      return;
    }
  } else if (g_previous.sa_handler == SIG_IGN) {
    return;
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(sig);
    return;
  }
  // Default action: restore it and re-raise so the process dies as it would have without us.
  signal(sig, SIG_DFL);
  raise(sig);
}

}  // namespace

void InstallGuard() {
  if (g_installed) return;
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_sigaction = OnSigbus;
  action.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  sigaction(SIGBUS, &action, &g_previous);
  g_installed = true;
}

bool GuardedRun(void (*fn)(void* ctx), void* ctx) {
  sigjmp_buf jump;
  if (sigsetjmp(jump, 1) != 0) {
    g_jump = nullptr;
    return false;
  }
  g_jump = &jump;
  fn(ctx);
  g_jump = nullptr;
  return true;
}

#else  // _WIN32: mapped-view faults arrive as structured exceptions.
#include <windows.h>

void InstallGuard() {}

bool GuardedRun(void (*fn)(void* ctx), void* ctx) {
  __try {
    fn(ctx);
  } __except (GetExceptionCode() == EXCEPTION_IN_PAGE_ERROR ? EXCEPTION_EXECUTE_HANDLER
                                                            : EXCEPTION_CONTINUE_SEARCH) {
    return false;
  }
  return true;
}
#endif

bool GuardedCopy(void* dst, const void* src, size_t n) {
  if (n == 0) return true;
  auto copy = [&] { std::memcpy(dst, src, n); };
  return Guarded(copy);
}

}  // namespace arrayscope
