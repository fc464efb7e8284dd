// The worker that runs one scan job off the main thread: progress about every 50 ms, cancellation, and the
// result (or a coded error) delivered to a promise.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <vector>

#include "pass.h"
#include "scan_ops.h"
#include "scan_state.h"

namespace arrayscope {

// The result as a JS value (scan.cc); job says what was asked.
Napi::Value ResultToJs(Napi::Env env, const ScanJob& job, const ScanResult& result);

// Queues the job and returns {promise, cancel()}.
Napi::Value LaunchScan(Napi::Env env, const std::vector<Napi::Object>& owners, const MapInfo& map,
                       ScanJob job, std::shared_ptr<ScanState> state, Napi::Function onProgress,
                       std::function<void()> onDone);

}  // namespace arrayscope
