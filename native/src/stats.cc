// Statistics: count, min, max, mean, std of finite values, NaN and ±Inf counts (integers exactly), and with
// bins the histogram in the same pass. One pass over the view in file order.
#include <algorithm>
#include <cstring>
#include <limits>
#include <type_traits>

#include "guard.h"
#include "scan_ops.h"

namespace arrayscope {
namespace {

// What one thread accumulates besides the per-chunk sums.
struct ThreadAcc {
  Moments m;
  __int128 isum = 0;
  int64_t imin = std::numeric_limits<int64_t>::max(), imax = std::numeric_limits<int64_t>::min();
  uint64_t umin = std::numeric_limits<uint64_t>::max(), umax = 0;
};

// Adds the counts and extremes of chunk moments c to a (the sums are kept per chunk, see RunStats).
void MergeCounts(Moments& a, const Moments& c) {
  a.finite += c.finite, a.nan += c.nan, a.pinf += c.pinf, a.ninf += c.ninf;
  a.min = std::min(a.min, c.min), a.max = std::max(a.max, c.max);
}

// Elements [i0, i1) into m (sums of x - shift) and, for integer types, the exact accumulators of a.
template <Elem E>
void StatsChunk(const uint8_t* data, const TypedView& tv, double shift, int64_t i0, int64_t i1, Simd level,
                Moments& m, ThreadAcc& a) {
  const ViewSpec& v = tv.view;
  if constexpr (E == Elem::F4 || E == Elem::F8) {
    using T = std::conditional_t<E == Elem::F4, float, double>;
    if (!tv.swap && v.strides.back() == static_cast<int64_t>(sizeof(T))) {
      ForEachRun(data, v, i0, i1, [&](const uint8_t* run, int64_t n, int64_t) {
        if (reinterpret_cast<uintptr_t>(run) % alignof(T) == 0)
          return StatsRun(level, reinterpret_cast<const T*>(run), n, shift, m);
        T buf[1024];  // unaligned element offsets (offset 37 with <f8): through an aligned buffer
        for (int64_t k = 0; k < n; k += 1024) {
          const int64_t c = std::min<int64_t>(1024, n - k);
          std::memcpy(buf, run + k * sizeof(T), c * sizeof(T));
          StatsRun(level, buf, c, shift, m);
        }
      });
      return;
    }
  }
  Walk<E>(data, v, i0, i1, tv.swap, [&](double x, const uint8_t* ptr) {
    if constexpr (E == Elem::I8) {
      const int64_t iv = Load<int64_t>(ptr, tv.swap);
      a.isum += iv;
      a.imin = std::min(a.imin, iv);
      a.imax = std::max(a.imax, iv);
    } else if constexpr (E == Elem::U8) {
      const uint64_t uv = Load<uint64_t>(ptr, tv.swap);
      a.isum += static_cast<__int128>(uv);
      a.umin = std::min(a.umin, uv);
      a.umax = std::max(a.umax, uv);
    } else if constexpr (E == Elem::B1 || E == Elem::I1 || E == Elem::U1 || E == Elem::I2 || E == Elem::U2 ||
                         E == Elem::I4 || E == Elem::U4) {
      a.isum += static_cast<int64_t>(x);
    }
    if (std::isnan(x)) {
      ++m.nan;
      return;
    }
    if (std::isinf(x)) {
      (x > 0 ? ++m.pinf : ++m.ninf);
      return;
    }
    ++m.finite;
    m.min = x < m.min ? x : m.min;
    m.max = x > m.max ? x : m.max;
    const double d = x - shift;
    m.s1 += d;
    m.s2 += d * d;
  });
}

bool IsInt(Elem e) {
  return e == Elem::B1 || e == Elem::I1 || e == Elem::U1 || e == Elem::I2 || e == Elem::U2 || e == Elem::I4 ||
         e == Elem::U4 || e == Elem::I8 || e == Elem::U8;
}

}  // namespace

StatsResult RunStats(const MapInfo& map, ScanState& state, const StatsSpec& spec, int threads) {
  TypedView v = spec.v;
  v.view = FileOrder(v.view);  // the statistics do not depend on the order; the disk prefers file order
  const Simd level = ActiveSimd();
  const int64_t n = v.view.size(), chunk = ChunkElems(n, ItemSize(v.elem));
  // shift: a finite value near the data keeps the sums of squares well conditioned
  double shift = 0;
  std::vector<PieceScratch> scratch(threads);
  if (!IsInt(v.elem) && n > 0) {
    auto first = [&] {
      ForEachPiece(map.data, v, 0, std::min<int64_t>(n, 64), 64, scratch[0],
                   [&](const uint8_t* d, const TypedView& tv, int64_t j0, int64_t j1) {
                     WithElem(tv.elem, [&](auto e) {
                       Walk<decltype(e)::value>(d, tv.view, j0, j1, tv.swap, [&](double x, const uint8_t*) {
                         if (shift == 0 && std::isfinite(x)) shift = x;
                       });
                     });
                   });
    };
    if (!Guarded(first)) {
      state.fault = state.cancel = true;
      return {};
    }
  }
  std::vector<ThreadAcc> accs(threads);
  // Sums per chunk, added in chunk order at the end: the same result whichever thread took which chunk.
  const PassPlan plan = ElementPlan(v, chunk, threads);
  std::vector<std::pair<double, double>> sums(static_cast<size_t>(plan.chunks));
  std::vector<std::vector<int64_t>> parts(spec.hasBins ? threads : 0,
                                          std::vector<int64_t>(4 * spec.bins.bins, 0));
  std::vector<HistParams> hist;
  for (int t = 0; t < threads && spec.hasBins; ++t) {
    const Bins& b = spec.bins;
    HistParams h{b.lo, b.hi, b.bins / (b.hi - b.lo), b.bins, b.edges.data(), parts[t].data()};
    PrepareFloatHist(h);
    hist.push_back(h);
  }
  RunPass(map, state, plan, [&](int64_t k, int t) {
    const int64_t i0 = k * chunk, i1 = std::min(n, i0 + chunk);
    Moments m;
    // with a histogram (its range given), each 64 Ki elements are counted while they are still in cache: one
    // pass over the file
    const int64_t step = spec.hasBins ? int64_t{1} << 16 : i1 - i0;
    ForEachPiece(map.data, v, i0, i1, step, scratch[t],
                 [&](const uint8_t* d, const TypedView& tv, int64_t j0, int64_t j1) {
                   WithElem(tv.elem, [&](auto e) {
                     StatsChunk<decltype(e)::value>(d, tv, shift, j0, j1, level, m, accs[t]);
                   });
                   if (spec.hasBins) CountBins(d, tv, j0, j1, hist[t], level);
                 });
    MergeCounts(accs[t].m, m);
    sums[static_cast<size_t>(k)] = {m.s1, m.s2};
    state.done.fetch_add(i1 - i0, std::memory_order_relaxed);
    return true;
  });

  StatsResult r;
  r.imin = std::numeric_limits<int64_t>::max(), r.imax = std::numeric_limits<int64_t>::min();
  r.umin = std::numeric_limits<uint64_t>::max(), r.umax = 0;
  for (const ThreadAcc& a : accs) {
    MergeCounts(r.m, a.m);
    r.isum += a.isum;
    r.imin = std::min(r.imin, a.imin), r.imax = std::max(r.imax, a.imax);
    r.umin = std::min(r.umin, a.umin), r.umax = std::max(r.umax, a.umax);
  }
  double s1 = 0, s2 = 0;
  for (auto [c1, c2] : sums) s1 += c1, s2 += c2;
  const int64_t fin = r.m.finite;
  r.m.s1 = s1 + shift * fin;  // back to the plain sum (for floats)
  r.m.s2 = fin ? std::max(0.0, (s2 - s1 * s1 / fin) / fin) : 0;
  if (spec.hasBins) r.counts = SumCounts(parts, spec.bins.bins);
  return r;
}

}  // namespace arrayscope
