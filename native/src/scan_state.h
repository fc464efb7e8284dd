// What a running scan shares between its threads, its JS handle and the mapping (which cancels scans when it
// is closed).
#pragma once
#include <atomic>
#include <cstdint>

namespace arrayscope {

struct ScanState {
  std::atomic<bool> cancel{false};
  // Progress in the scan's own unit (elements, or byte positions for find).
  std::atomic<int64_t> done{0};
  // The file was truncated (a SIGBUS, or a size check) during the scan.
  std::atomic<bool> fault{false};
};

}  // namespace arrayscope
