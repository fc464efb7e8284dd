// Histograms: np.histogram's counts for equal-width bins, one pass over the view in file order.
#include <algorithm>
#include <cstring>

#include "scan_ops.h"

namespace arrayscope {
namespace {

template <Elem E>
void CountTyped(const uint8_t* data, const TypedView& tv, int64_t i0, int64_t i1, const HistParams& h,
                Simd level) {
  const ViewSpec& v = tv.view;
  if constexpr (E == Elem::F4) {
    if (!tv.swap && !v.strides.empty() && v.strides.back() == 4) {
      ForEachRun(data, v, i0, i1, [&](const uint8_t* run, int64_t n, int64_t) {
        if (reinterpret_cast<uintptr_t>(run) % 4 == 0)
          return HistRun(level, reinterpret_cast<const float*>(run), n, h);
        float buf[1024];  // unaligned runs through an aligned buffer
        for (int64_t k = 0; k < n; k += 1024) {
          const int64_t m = std::min<int64_t>(1024, n - k);
          std::memcpy(buf, run + k * 4, m * 4);
          HistRun(level, buf, m, h);
        }
      });
      return;
    }
  }
  Walk<E>(data, v, i0, i1, tv.swap, [&](double x, const uint8_t*) {
    if (x >= h.lo && x <= h.hi) ++h.counts[ExactBin(x, h.lo, h.norm, h.edges, h.bins)];
  });
}

}  // namespace

std::vector<int64_t> SumCounts(const std::vector<std::vector<int64_t>>& parts, int bins) {
  std::vector<int64_t> out(bins, 0);
  for (auto& p : parts)
    for (int c = 0; c < 4; ++c)
      for (int k = 0; k < bins; ++k) out[k] += p[c * bins + k];
  return out;
}

void CountBins(const uint8_t* data, const TypedView& v, int64_t i0, int64_t i1, const HistParams& h,
               Simd level) {
  WithElem(v.elem, [&](auto e) { CountTyped<decltype(e)::value>(data, v, i0, i1, h, level); });
}

HistResult RunHistogram(const MapInfo& map, ScanState& state, const HistSpec& spec, int threads) {
  TypedView v = spec.v;
  v.view = FileOrder(v.view);  // bin counts do not depend on the order
  const Simd level = ActiveSimd();
  const Bins& b = spec.bins;
  std::vector<std::vector<int64_t>> parts(threads, std::vector<int64_t>(4 * b.bins, 0));
  std::vector<HistParams> params;
  for (int t = 0; t < threads; ++t) {
    HistParams h{b.lo, b.hi, b.bins / (b.hi - b.lo), b.bins, b.edges.data(), parts[t].data()};
    PrepareFloatHist(h);
    params.push_back(h);
  }
  const int64_t n = v.view.size(), chunk = ChunkElems(n, ItemSize(v.elem));
  const PassPlan plan = ElementPlan(v, chunk, threads);
  std::vector<PieceScratch> scratch(threads);
  RunPass(map, state, plan, [&](int64_t k, int t) {
    const int64_t i0 = k * chunk, i1 = std::min(n, i0 + chunk);
    ForEachPiece(map.data, v, i0, i1, i1 - i0, scratch[t],
                 [&](const uint8_t* d, const TypedView& tv, int64_t j0, int64_t j1) {
                   CountBins(d, tv, j0, j1, params[t], level);
                 });
    state.done.fetch_add(i1 - i0, std::memory_order_relaxed);
    return true;
  });
  return {SumCounts(parts, b.bins)};
}

}  // namespace arrayscope
