// The scan operations: one spec and one result type each, and the function that runs it as a pass over the
// mapping (see pass.h). The specs come from JS (scan.cc parses them); the kernels know nothing of JS.
#pragma once
#include <algorithm>
#include <cstdint>
#include <variant>
#include <vector>

#include "elem.h"
#include "kernels.h"
#include "pass.h"
#include "scan_state.h"
#include "view.h"

namespace arrayscope {

// A view of one element type; swap: its bytes are in non-native order.
struct TypedView {
  ViewSpec view;
  Elem elem = Elem::U1;
  bool swap = false;
};

// np.histogram's equal-width bins over [lo, hi] (edges as numpy computes them).
struct Bins {
  int bins = 0;
  double lo = 0, hi = 0;
  std::vector<double> edges;
};

// count / min / max / mean / std of finite values, NaN and ±Inf counts; integers also exactly. With bins, the
// histogram is counted in the same pass.
struct StatsSpec {
  TypedView v;
  bool hasBins = false;
  Bins bins;
};
struct StatsResult {
  Moments m;                    // s1: plain sum; s2: population variance
  __int128 isum = 0;            // exact sum of an integer view
  int64_t imin = 0, imax = 0;   // exact extremes of an int64 view
  uint64_t umin = 0, umax = 0;  // and of a uint64 view
  std::vector<int64_t> counts;  // with bins
};

struct HistSpec {
  TypedView v;
  Bins bins;
};
struct HistResult {
  std::vector<int64_t> counts;
};

// min/max per bucket over the flat range [start, stop) of a 1-D view (line plots); NaN ignored.
struct BucketsSpec {
  TypedView v;
  int64_t start = 0, stop = 0, buckets = 0;
};
struct BucketsResult {
  std::vector<double> min, max;
};

// A 2-D view reduced to outRows × outCols blocks: mean or max of the finite values of each (heatmaps).
struct BlocksSpec {
  TypedView v;
  int64_t outRows = 0, outCols = 0;
  bool max = false;
};
struct BlocksResult {
  std::vector<double> values;
};

// The first (backwards: the last) position p in [from, to) where the bytes match pattern under mask
// (bytes mode), or where the element of type elem at p lies in [lo, hi]; p aligned to alignStep from
// alignBase.
struct FindSpec {
  int64_t from = 0, to = 0, alignBase = 0, alignStep = 1;
  bool backwards = false;
  bool bytes = false;
  std::vector<uint8_t> pattern, mask;
  Elem elem = Elem::U1;
  bool swap = false;
  double lo = 0, hi = 0;
};
struct FindResult {
  int64_t offset = -1;
};

using ScanJob = std::variant<StatsSpec, HistSpec, BucketsSpec, BlocksSpec, FindSpec>;
using ScanResult = std::variant<StatsResult, HistResult, BucketsResult, BlocksResult, FindResult>;

// Elements per chunk of a pass over n elements of itemsize bytes: about 4 MiB (small enough to cancel within
// a few milliseconds; large enough that each thread streams through memory and the per-chunk work is noise),
// at least 16 chunks where that leaves 64 Ki elements each, and at most 2^18 chunks.
inline int64_t ChunkElems(int64_t n, int64_t itemsize) {
  const int64_t target =
      std::max<int64_t>(int64_t{1} << 16, (int64_t{4} << 20) / std::max<int64_t>(1, itemsize));
  const int64_t c = std::min(target, std::max<int64_t>(int64_t{1} << 16, n / 16));
  return std::max(c, (n + (1 << 18) - 1) >> 18);
}

StatsResult RunStats(const MapInfo& map, ScanState& state, const StatsSpec& spec, int threads);
HistResult RunHistogram(const MapInfo& map, ScanState& state, const HistSpec& spec, int threads);
BucketsResult RunBuckets(const MapInfo& map, ScanState& state, const BucketsSpec& spec, int threads);
BlocksResult RunBlocks(const MapInfo& map, ScanState& state, const BlocksSpec& spec, int threads);
FindResult RunFind(const MapInfo& map, ScanState& state, const FindSpec& spec, int threads);

// Counts the flat elements [i0, i1) of v that lie in [h.lo, h.hi] into h.counts (shared by statistics with
// bins and the histogram pass).
void CountBins(const uint8_t* data, const TypedView& v, int64_t i0, int64_t i1, const HistParams& h,
               Simd level);

// Per-thread counters (4 interleaved copies of the bins each, see HistParams) summed into one set.
std::vector<int64_t> SumCounts(const std::vector<std::vector<int64_t>>& parts, int bins);

// A plan for a pass over the flat elements of a view in chunks of chunkElems: the byte ranges each chunk
// reads.
PassPlan ElementPlan(const TypedView& v, int64_t chunkElems, int threads);

}  // namespace arrayscope
