// The scan operations: one spec and one result type each, and the function that runs it as a pass over the
// mapping (see pass.h). The specs come from JS (scan.cc parses them); the kernels know nothing of JS.
#pragma once
#include <algorithm>
#include <climits>
#include <cstdint>
#include <functional>
#include <utility>
#include <variant>
#include <vector>

#include "elem.h"
#include "kernels.h"
#include "pass.h"
#include "quant_view.h"
#include "scale_view.h"
#include "scan_state.h"
#include "view.h"

namespace arrayscope {

// A view of one element type; swap: its bytes are in non-native order.
struct TypedView {
  ViewSpec view;
  Elem elem = Elem::U1;
  bool swap = false;
  // A quantized tensor: view is a virtual float32 array (elem F4) whose values are dequantized from q's
  // blocks.
  bool quantized = false;
  QuantView q;
  // Scaled values: view (base, strides) is of the stored numbers of type sc.stored; elem is the values' type.
  bool scaled = false;
  ScaleView sc;
};

// The bytes of one element the view's offsets step over: the stored numbers' for a scaled view.
inline int64_t ReadSize(const TypedView& v) { return v.scaled ? ItemSize(v.sc.stored) : ItemSize(v.elem); }

// A contiguous float32 view of n values at offset 0 (what decoded values are read as).
inline TypedView ContiguousF4(int64_t n) {
  TypedView t;
  t.view.shape = {n};
  t.view.strides = {4};
  t.elem = Elem::F4;
  return t;
}

// Per-thread state for reading a quantized or scaled view: decode buffers and a contiguous view of them.
struct PieceScratch {
  QuantScratch q;
  TypedView contiguous = ContiguousF4(0);
  std::vector<uint64_t> scaled = std::vector<uint64_t>(1 << 16);  // scaled values (8-byte aligned)
};

// Calls f(data, view, j0, j1) over the flat elements [i0, i1) of v in pieces of at most `step` elements. For
// a quantized view the pieces are its values decoded in order into s (data then points at them, and view is a
// contiguous float32 view). Allocates nothing.
template <typename F>
void ForEachPiece(const uint8_t* data, const TypedView& v, int64_t i0, int64_t i1, int64_t step,
                  PieceScratch& s, F&& f) {
  if (v.scaled) {
    // the stored numbers of each run, scaled in order into s.scaled, then handed on as a contiguous view
    const int64_t cap = static_cast<int64_t>(s.scaled.size());
    const int64_t size = ItemSize(v.elem);
    uint8_t* buf = reinterpret_cast<uint8_t*>(s.scaled.data());
    s.contiguous.elem = v.elem;
    s.contiguous.view.strides[0] = size;
    int64_t filled = 0;
    auto flush = [&] {
      s.contiguous.view.shape[0] = filled;
      f(static_cast<const uint8_t*>(buf), s.contiguous, int64_t{0}, filled);
      filled = 0;
    };
    ForEachRunAt(v.view, i0, i1, [&](int64_t off, int64_t n, int64_t stride) {
      const uint8_t* p = data + off;
      while (n > 0) {
        const int64_t m = std::min(n, cap - filled);
        ScaleRun(p, m, stride, v.sc, buf + filled * size);
        filled += m;
        p += m * stride;
        n -= m;
        if (filled == cap) flush();
      }
    });
    if (filled > 0) flush();
    return;
  }
  if (!v.quantized) {
    for (int64_t j0 = i0; j0 < i1; j0 += step) f(data, v, j0, std::min(i1, j0 + step));
    return;
  }
  ForEachDecoded(data, v.q, v.view, i0, i1, s.q, [&](const float* p, int64_t n) {
    s.contiguous.view.shape[0] = n;
    f(reinterpret_cast<const uint8_t*>(p), s.contiguous, int64_t{0}, n);
  });
}

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

// Two views of the same shape compared element by element with np.isclose's rule (rtol, atol, equal_nan),
// computed in the float types numpy would use; the figures of the violations in float64, as
// numpy.testing.assert_allclose reports them. b lives in the other mapping bMap.
struct DiffSpec {
  TypedView a, b;
  MapInfo bMap;
  double rtol = 1e-7, atol = 0;
  bool equalNan = true;
  int64_t first = 10;  // how many mismatch indices to keep (the first in C order)
  // Only mismatches with after < index < before are kept; last: the last ones before `before` instead of the
  // first ones after `after` (stepping backwards through the mismatches).
  int64_t after = -1, before = INT64_MAX;
  bool last = false;
  int64_t mapRows = 0, mapCols = 0;  // the mismatch map's size (0: none)
  // The map also holds, per block, the max |a - b|, the mean of a - b and the max ULP distance (finite
  // pairs).
  bool mapValues = false;
};
struct DiffResult {
  int64_t total = 0, mismatched = 0, nanMismatched = 0, infMismatched = 0;
  // max |a - b| and max |a - b| / |b| (b != 0) among the violations, with their C indices (-1: none); NaN
  // when a violation gives NaN; maxRel is +inf when every violating b is 0
  double maxAbs = 0, maxRel = 0;
  int64_t maxAbsAt = -1, maxRelAt = -1;
  std::vector<int64_t> first;        // C indices of the first mismatches, ascending
  std::vector<int64_t> diffExp;      // counts of finite non-zero |a - b| by binary exponent (kDiffExpMin + k)
  int64_t equal = 0, nonFinite = 0;  // pairs with a - b == 0, and with a non-finite difference
  std::vector<int64_t> map;          // mismatches per block, mapRows × mapCols
  int64_t mapRows = 0, mapCols = 0;  // as asked, at most the view's rows (all axes but the last) and columns
  // with mapValues: per block the max |a - b|, mean a - b and max ULP distance of finite pairs (NaN: none)
  std::vector<double> mapAbs, mapMean, mapUlp;
};
// |a - b| = m · 2^e with 1 <= m < 2 counts in bin e - kDiffExpMin (subnormals in the first bin).
constexpr int kDiffExpMin = -1074;
constexpr int kDiffExpBins = 2098;

// A region [r0, r1) × [c0, c1) of a 2-D view reduced to outRows × outCols pixels: per pixel the min, max and
// mean of its block's finite elements (NaN when it has none) and flags (1: a NaN, 2: +Inf, 4: -Inf in it).
struct TileSpec {
  TypedView v;
  int64_t r0 = 0, r1 = 0, c0 = 0, c1 = 0, outRows = 0, outCols = 0;
  // Block sizes: pixel i covers rows [r0 + i·blockRows, …) (a pyramid level's 2^L); 0: the region split
  // evenly.
  int64_t blockRows = 0, blockCols = 0;
  // A quick preview: each pixel is the element at its block's centre (min = max = mean), one read per pixel.
  bool sample = false;
};
struct TileResult {
  std::vector<float> pixels;  // outRows × outCols × {min, max, mean, flags}
};

// The first (backwards: the last) flat C-order index i of a view in [from, to) whose element meets a
// condition: NaN, ±Inf, > value, < value, == value, |x| > value (the value already in the element's type).
// The table's "find by condition".
enum class Condition { kNan, kInf, kGreater, kLess, kEqual, kAbsGreater };
struct ConditionSpec {
  TypedView v;
  Condition cond = Condition::kNan;
  double value = 0;
  int64_t from = 0, to = 0;
  bool backwards = false;
};
struct ConditionResult {
  int64_t index = -1;
};

// Statistics along one axis of a 2-D view: for every index of axis `keep`, the count, mean, min, max and
// population std of the finite elements of that row (keep 0) or column (keep 1). A profile plot.
struct ProfileSpec {
  TypedView v;
  int keep = 0;
};
struct ProfileResult {
  std::vector<double> count, mean, min, max, std;
};

using ScanJob = std::variant<StatsSpec, HistSpec, BucketsSpec, BlocksSpec, FindSpec, DiffSpec, TileSpec,
                             ConditionSpec, ProfileSpec>;
using ScanResult = std::variant<StatsResult, HistResult, BucketsResult, BlocksResult, FindResult, DiffResult,
                                TileResult, ConditionResult, ProfileResult>;

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
DiffResult RunDiff(const MapInfo& map, ScanState& state, const DiffSpec& spec, int threads);
TileResult RunTile(const MapInfo& map, ScanState& state, const TileSpec& spec, int threads);
ConditionResult RunCondition(const MapInfo& map, ScanState& state, const ConditionSpec& spec, int threads);
ProfileResult RunProfile(const MapInfo& map, ScanState& state, const ProfileSpec& spec, int threads);

// Counts the flat elements [i0, i1) of v that lie in [h.lo, h.hi] into h.counts (shared by statistics with
// bins and the histogram pass).
void CountBins(const uint8_t* data, const TypedView& v, int64_t i0, int64_t i1, const HistParams& h,
               Simd level);

// Per-thread counters (4 interleaved copies of the bins each, see HistParams) summed into one set.
std::vector<int64_t> SumCounts(const std::vector<std::vector<int64_t>>& parts, int bins);

// The flat elements [first, second) of the view that chunk k of a pass covers.
using ElementRange = std::function<std::pair<int64_t, int64_t>(int64_t k)>;

// A plan for a pass of `chunks` chunks, chunk k covering the flat elements elems(k) (in the pass's order):
// the byte ranges each chunk reads (quantized blocks, a scaled view's stored numbers) and the extent the file
// must keep.
PassPlan RangePlan(const TypedView& v, int threads, int64_t chunks, ElementRange elems);

// RangePlan over the flat elements of a view in chunks of chunkElems.
PassPlan ElementPlan(const TypedView& v, int64_t chunkElems, int threads);

}  // namespace arrayscope
