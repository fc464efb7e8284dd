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
  // A gated scan (spec.gate): the pass reads bytes of the mapping only below *ready, which JS raises (with
  // Atomics.store into a BigInt64Array it keeps alive while the scan runs) as the copy is filled; null: all.
  const int64_t* ready = nullptr;
  // A diff's second file, gated the same way (its own gate; null: all of it).
  const int64_t* readyB = nullptr;
  // A gate of two elements: the pass writes into the second the lowest byte it may still read (the first byte
  // of its oldest unfinished part; INT64_MAX at its end), so that what lies below can be let go (a remote
  // object's private copy: remote-stream.ts). Meaningful for passes that walk the file forwards.
  int64_t* consumed = nullptr;
  // The same for a diff's other file (its gate's second element).
  int64_t* consumedB = nullptr;

  // Where the gate of file `side` (0: the mapping scanned, 1: a diff's other file) stands now (INT64_MAX
  // without one).
  int64_t ReadyEnd(int side = 0) const {
    const int64_t* g = side == 0 ? ready : readyB;
    if (g == nullptr) return INT64_MAX;
#if defined(_MSC_VER)
    return *static_cast<const volatile int64_t*>(g);  // an aligned 8-byte load is atomic on x64 and arm64
#else
    return __atomic_load_n(g, __ATOMIC_ACQUIRE);
#endif
  }
  bool Gated(int side) const { return (side == 0 ? ready : readyB) != nullptr; }

  // Whether file `side` hears back what the pass has read.
  bool Listens(int side) const { return (side == 0 ? consumed : consumedB) != nullptr; }

  // Says the pass will read nothing below byte at of file `side` any more.
  void Consumed(int side, int64_t at) const {
    int64_t* c = side == 0 ? consumed : consumedB;
    if (c == nullptr) return;
#if defined(_MSC_VER)
    *static_cast<volatile int64_t*>(c) = at;
#else
    __atomic_store_n(c, at, __ATOMIC_RELEASE);
#endif
  }
};

}  // namespace arrayscope
