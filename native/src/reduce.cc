// Reductions that keep positions: min/max per bucket of a 1-D view (line plots) and block reduction of a 2-D
// view (heatmaps). Each walks the file in order: buckets from the lowest address up, blocks along the axis
// with the larger stride.
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <type_traits>

#include "scan_ops.h"

namespace arrayscope {
namespace {

// min/max of flat elements [e0, e1) of a 1-D view, NaN ignored.
template <Elem E>
void BucketMinMax(const uint8_t* data, const TypedView& tv, int64_t e0, int64_t e1, Simd level, double& mn,
                  double& mx) {
  const ViewSpec& v = tv.view;
  if constexpr (E == Elem::F4 || E == Elem::F8) {
    using T = std::conditional_t<E == Elem::F4, float, double>;
    const int64_t s = v.strides.back();
    if (!tv.swap && std::llabs(s) == static_cast<int64_t>(sizeof(T)) && e1 > e0) {
      // contiguous either way round: min and max do not care about the order
      const uint8_t* p = data + v.base + (s > 0 ? e0 : e1 - 1) * s;
      if (reinterpret_cast<uintptr_t>(p) % alignof(T) == 0)
        return MinMaxRun(level, reinterpret_cast<const T*>(p), e1 - e0, mn, mx);
    }
  }
  Walk<E>(data, v, e0, e1, tv.swap, [&](double x, const uint8_t*) {
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
  });
}

}  // namespace

BucketsResult RunBuckets(const MapInfo& map, ScanState& state, const BucketsSpec& spec, int threads) {
  const TypedView& v = spec.v;
  const Simd level = ActiveSimd();
  const int64_t len = spec.stop - spec.start, B = spec.buckets;
  auto edge = [&](int64_t b) {
    return spec.start + static_cast<int64_t>((static_cast<__int128>(b) * len) / B);
  };
  BucketsResult r;
  r.min.assign(B, 0);
  r.max.assign(B, 0);
  // chunks of whole buckets, about kChunk elements each, in address order (a negative stride runs backwards)
  const int64_t per =
      std::max<int64_t>(1, (ChunkElems(len, ItemSize(v.elem)) * B + len - 1) / std::max<int64_t>(1, len));
  const bool reversed = v.view.strides.back() < 0;
  const int64_t chunks = (B + per - 1) / per;
  auto bucketsOf = [=](int64_t k) {
    const int64_t c = reversed ? chunks - 1 - k : k;
    return std::make_pair(c * per, std::min(B, (c + 1) * per));
  };
  const PassPlan plan = RangePlan(v, threads, chunks, [&](int64_t k) {
    const auto [b0, b1] = bucketsOf(k);
    return std::make_pair(edge(b0), edge(b1));
  });
  std::vector<PieceScratch> scratch(threads);
  RunPass(map, state, plan, [&](int64_t k, int t) {
    const auto [b0, b1] = bucketsOf(k);
    for (int64_t b = b0; b < b1; ++b) {
      double mn = HUGE_VAL, mx = -HUGE_VAL;
      const int64_t e0 = edge(b), e1 = edge(b + 1);
      ForEachPiece(map.data, v, e0, e1, e1 - e0, scratch[t],
                   [&](const uint8_t* d, const TypedView& tv, int64_t j0, int64_t j1) {
                     WithElem(tv.elem, [&](auto e) {
                       BucketMinMax<decltype(e)::value>(d, tv, j0, j1, level, mn, mx);
                     });
                   });
      const bool empty = mn == HUGE_VAL && mx == -HUGE_VAL;  // only NaN (or nothing)
      r.min[b] = empty ? std::numeric_limits<double>::quiet_NaN() : mn;
      r.max[b] = empty ? std::numeric_limits<double>::quiet_NaN() : mx;
      state.done.fetch_add(e1 - e0, std::memory_order_relaxed);
    }
    return true;
  });
  return r;
}

namespace {

// Per-thread sums of the current output row's blocks.
struct BlockScratch {
  std::vector<double> sum, mx;
  std::vector<int64_t> n;
};

// Elements [j0, j1) of a row block, in C order, into the column blocks' sums; col is the column of element j0
// (it carries over from one piece of the rows to the next).
template <Elem E>
void BlockValues(const uint8_t* data, const TypedView& tv, int64_t j0, int64_t j1,
                 const std::vector<int64_t>& colBlock, int64_t C, int64_t& col, BlockScratch& s) {
  Walk<E>(data, tv.view, j0, j1, tv.swap, [&](double x, const uint8_t*) {
    const int64_t k = colBlock[col];
    if (++col == C) col = 0;
    if (!std::isfinite(x)) return;
    s.sum[k] += x;
    s.n[k] += 1;
    s.mx[k] = x > s.mx[k] ? x : s.mx[k];
  });
}

}  // namespace

BlocksResult RunBlocks(const MapInfo& map, ScanState& state, const BlocksSpec& spec, int threads) {
  // Walk along the axis with the larger stride (outermost in the file): an F-order view is reduced as its
  // transpose and the result transposed back.
  TypedView v = spec.v;
  int64_t outRows = spec.outRows, outCols = spec.outCols;
  const bool transposed = std::llabs(v.view.strides[1]) > std::llabs(v.view.strides[0]);
  if (transposed) {
    std::swap(v.view.shape[0], v.view.shape[1]);
    std::swap(v.view.strides[0], v.view.strides[1]);
    std::swap(outRows, outCols);
  }
  const int64_t R = v.view.shape[0], C = v.view.shape[1];
  const bool reversed = v.view.strides[0] < 0;
  std::vector<int64_t> colBlock(C);
  // column block j covers [j*C/outCols, (j+1)*C/outCols), as rows do
  for (int64_t j = 0; j < outCols; ++j) {
    for (int64_t c = (j * C) / outCols; c < ((j + 1) * C) / outCols; ++c) colBlock[c] = j;
  }
  std::vector<BlockScratch> scratch(threads,
                                    BlockScratch{std::vector<double>(outCols), std::vector<double>(outCols),
                                                 std::vector<int64_t>(outCols)});
  std::vector<double> out(outRows * outCols, 0);
  std::vector<PieceScratch> pieces(threads);
  auto rowOf = [=](int64_t k) { return reversed ? outRows - 1 - k : k; };
  const PassPlan plan = RangePlan(v, threads, outRows, [=](int64_t k) {
    const int64_t orow = rowOf(k);
    return std::make_pair((orow * R) / outRows * C, ((orow + 1) * R) / outRows * C);
  });
  RunPass(map, state, plan, [&](int64_t k, int t) {
    const int64_t orow = rowOf(k);
    const int64_t a = (orow * R) / outRows, b = ((orow + 1) * R) / outRows;
    BlockScratch& s = scratch[t];
    std::fill(s.sum.begin(), s.sum.end(), 0.0);
    std::fill(s.mx.begin(), s.mx.end(), -HUGE_VAL);
    std::fill(s.n.begin(), s.n.end(), 0);
    int64_t col = 0;
    ForEachPiece(map.data, v, a * C, b * C, (b - a) * C, pieces[t],
                 [&](const uint8_t* d, const TypedView& tv, int64_t j0, int64_t j1) {
                   WithElem(tv.elem, [&](auto e) {
                     BlockValues<decltype(e)::value>(d, tv, j0, j1, colBlock, C, col, s);
                   });
                 });
    for (int64_t j = 0; j < outCols; ++j) {
      out[orow * outCols + j] = s.n[j] == 0 ? std::numeric_limits<double>::quiet_NaN()
                                : spec.max  ? s.mx[j]
                                            : s.sum[j] / s.n[j];
    }
    state.done.fetch_add((b - a) * C, std::memory_order_relaxed);
    return true;
  });
  BlocksResult r;
  if (!transposed) {
    r.values = std::move(out);
  } else {
    r.values.resize(out.size());
    for (int64_t i = 0; i < outRows; ++i)
      for (int64_t j = 0; j < outCols; ++j) r.values[j * outRows + i] = out[i * outCols + j];
  }
  return r;
}

}  // namespace arrayscope
