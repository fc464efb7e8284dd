// mapping.scan(spec, onProgress?) -> {promise, cancel()}: a whole-view pass (statistics, histogram, line-plot
// buckets, heatmap blocks, find) on worker threads. See index.d.ts for the spec and scan_ops.h for the
// kernels.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <vector>

#include "pass.h"
#include "scan_state.h"

namespace arrayscope {

// Parses the spec, starts the scan and returns its handle. owners (the mappings' JS objects) are kept alive
// while the scan runs; onDone runs on the main thread when the scan has settled (the mappings may unmap only
// then). other: the second mapping a diff reads.
Napi::Value StartScan(const Napi::CallbackInfo& info, const MapInfo& map, const MapInfo& other,
                      const std::vector<Napi::Object>& owners, std::shared_ptr<ScanState> state,
                      std::function<void()> onDone);

// scanBytes(spec, onProgress?): a stats or histogram pass over spec.bytes, a Uint8Array (scan_bytes.cc).
Napi::Value ScanBytes(const Napi::CallbackInfo& info);

// simdLevels() -> ['scalar', 'avx2', 'avx512'] (what this CPU runs); simdLevel() -> the level a scan started
// now would use (ARRAYSCOPE_SIMD lowers it).
Napi::Value SimdLevels(const Napi::CallbackInfo& info);
Napi::Value SimdLevel(const Napi::CallbackInfo& info);

}  // namespace arrayscope
