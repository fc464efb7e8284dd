// Whole-view scan kernels, run natively on worker threads: statistics (count, min, max, mean, std over
// finite values, NaN/±Inf counts), np.histogram-compatible bins, min/max per bucket (line plots) and block
// reduction of a 2-D view (heatmaps). Dtype-templated; byte order swapped where needed.
#pragma once
#include <napi.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

namespace arrayscope {

/** Shared between a scan's threads, its JS handle and the mapping (which cancels scans when closed). */
struct ScanState {
  std::atomic<bool> cancel{false};
  std::atomic<int64_t> done{0};
  std::atomic<bool> fault{false};
};

// mapping.scan(spec, onProgress?) -> {promise, cancel()}; see index.d.ts for the spec. onDone runs on the
// main thread when the scan has settled (the mapping may unmap only then).
Napi::Value StartScan(const Napi::CallbackInfo& info, const uint8_t* data, int64_t size, int holeFd, Napi::Object owner,
                      std::shared_ptr<ScanState> state, std::function<void()> onDone);

}  // namespace arrayscope
