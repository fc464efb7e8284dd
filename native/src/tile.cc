// Image tiles: a region of a 2-D view reduced to outRows × outCols pixels, each the min, max and mean of the
// finite elements of its block and flags for NaN / ±Inf among them, as float32 (the heatmap viewer's pyramid:
// a tile at level L has one pixel per 2^L × 2^L elements). Walks the region along the axis with the larger
// stride (an F-order view as its transpose), contiguous float rows through the SIMD statistics kernels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "scan_ops.h"

namespace arrayscope {
namespace {

// What one output row gathers: per output column the moments of its block.
struct TileRow {
  std::vector<Moments> px;
  std::vector<double> values;  // a source row segment decoded to float64 (views that are not native floats)
  PieceScratch pieces;
};

// Adds `n` values of a native float run p (one block's part of a row) to m.
template <typename T>
inline void AddRun(Simd level, const T* p, int64_t n, Moments& m) {
  if (n >= 16) return StatsRun(level, p, n, 0.0, m);
  for (int64_t k = 0; k < n; ++k) {
    const double x = static_cast<double>(p[k]);
    if (std::isnan(x)) {
      ++m.nan;
    } else if (std::isinf(x)) {
      (x > 0 ? ++m.pinf : ++m.ninf);
    } else {
      ++m.finite;
      m.min = std::min(m.min, x);
      m.max = std::max(m.max, x);
      m.s1 += x;
    }
  }
}

// The row segment's values into the output columns' moments: colStart[j] is where output column j's block
// starts (relative to the segment), colStart[outCols] the segment's length.
template <typename T>
void AddSegment(Simd level, const T* p, const std::vector<int64_t>& colStart, TileRow& row) {
  const size_t w = row.px.size();
  for (size_t j = 0; j < w; ++j) AddRun(level, p + colStart[j], colStart[j + 1] - colStart[j], row.px[j]);
}

// Output row k's pixels (min, max, mean, flags) into out (transposed: column k of the asked-for image).
void Emit(int64_t k, const TileRow& row, float* out, bool transposed, int64_t askedCols, int64_t outCols) {
  for (int64_t j = 0; j < outCols; ++j) {
    const Moments& m = row.px[static_cast<size_t>(j)];
    const bool none = m.finite == 0;
    float* o = out + ((transposed ? j * askedCols + k : k * outCols + j) * 4);
    o[0] = none ? NAN : static_cast<float>(m.min);
    o[1] = none ? NAN : static_cast<float>(m.max);
    o[2] = none ? NAN : static_cast<float>(m.s1 / m.finite);
    o[3] = static_cast<float>((m.nan ? 1 : 0) | (m.pinf ? 2 : 0) | (m.ninf ? 4 : 0));
  }
}

}  // namespace

TileResult RunTile(const MapInfo& map, ScanState& state, const TileSpec& spec, int threads) {
  TypedView v = spec.v;
  int64_t r0 = spec.r0, r1 = spec.r1, c0 = spec.c0, c1 = spec.c1, outRows = spec.outRows,
          outCols = spec.outCols;
  // walk along the axis with the larger stride: an F-order view is reduced as its transpose
  const bool transposed = std::llabs(v.view.strides[1]) > std::llabs(v.view.strides[0]);
  if (transposed) {
    std::swap(v.view.shape[0], v.view.shape[1]);
    std::swap(v.view.strides[0], v.view.strides[1]);
    std::swap(r0, c0);
    std::swap(r1, c1);
    std::swap(outRows, outCols);
  }
  int64_t blockRows = transposed ? spec.blockCols : spec.blockRows;
  int64_t blockCols = transposed ? spec.blockRows : spec.blockCols;
  // the region as a view of its own: rows [0, R) × columns [0, C)
  v.view.base += r0 * v.view.strides[0] + c0 * v.view.strides[1];
  const int64_t R = r1 - r0, C = c1 - c0;
  v.view.shape = {R, C};
  // pixel j covers columns [colStart[j], colStart[j + 1]); pixel i rows [rowStart(i), rowStart(i + 1))
  std::vector<int64_t> colStart(static_cast<size_t>(outCols) + 1);
  for (int64_t j = 0; j <= outCols; ++j)
    colStart[j] = blockCols ? std::min(C, j * blockCols) : (j * C) / outCols;
  auto rowStart = [=](int64_t i) { return blockRows ? std::min(R, i * blockRows) : (i * R) / outRows; };
  const Simd level = ActiveSimd();
  const bool contiguous = !v.quantized && !v.scaled && !v.swap &&
                          (v.elem == Elem::F4 || v.elem == Elem::F8) && v.view.strides[1] == ItemSize(v.elem);
  std::vector<TileRow> rows(threads);
  for (TileRow& t : rows) {
    t.px.resize(static_cast<size_t>(outCols));
    if (!contiguous) t.values.resize(static_cast<size_t>(C));
  }
  std::vector<float> out(static_cast<size_t>(outRows * outCols * 4), 0.0f);
  PassPlan plan;
  plan.threads = threads;
  plan.chunks = R == 0 || C == 0 ? 0 : outRows;
  plan.needEnd = ElementPlan(v, 1, threads).needEnd;
  const int64_t itemsize = ReadSize(v);
  plan.ranges = [&](int64_t k, std::vector<ByteRange>& ranges) {
    const int64_t i0 = rowStart(k) * C, i1 = rowStart(k + 1) * C;
    if (v.quantized) return QuantChunkRanges(v.q, v.view, i0, i1, ranges);
    ChunkRanges(v.view, itemsize, i0, i1, ranges);
  };
  if (spec.sample) {
    // one element per pixel, at the centre of its block: no readahead worth doing (scattered single reads)
    plan.ranges = [](int64_t, std::vector<ByteRange>& ranges) { ranges.clear(); };
    RunPass(map, state, plan, [&](int64_t k, int t) {
      TileRow& row = rows[t];
      const int64_t r = (rowStart(k) + rowStart(k + 1)) / 2;
      for (int64_t j = 0; j < outCols; ++j) {
        const int64_t c = (colStart[j] + colStart[j + 1]) / 2;
        double x = NAN;
        ForEachPiece(map.data, v, r * C + c, r * C + c + 1, 1, row.pieces,
                     [&](const uint8_t* data, const TypedView& tv, int64_t j0, int64_t j1) {
                       WithElem(tv.elem, [&](auto e) {
                         Walk<decltype(e)::value>(data, tv.view, j0, j1, tv.swap,
                                                  [&](double y, const uint8_t*) { x = y; });
                       });
                     });
        const bool finite = std::isfinite(x);
        float* o = out.data() + ((transposed ? j * spec.outCols + k : k * outCols + j) * 4);
        o[0] = o[1] = o[2] = finite ? static_cast<float>(x) : NAN;
        o[3] = static_cast<float>(std::isnan(x) ? 1 : x > 0 && !finite ? 2 : !finite ? 4 : 0);
      }
      state.done.fetch_add(outCols, std::memory_order_relaxed);
      return true;
    });
    return {std::move(out)};
  }
  RunPass(map, state, plan, [&](int64_t k, int t) {
    TileRow& row = rows[t];
    std::fill(row.px.begin(), row.px.end(), Moments{});
    const int64_t a = rowStart(k), b = rowStart(k + 1);
    // rows lying in a hole of a sparse file (mode r) are zeros: counted, not read
    if (!v.quantized) {
      ViewSpec rowsView{v.view.base + a * v.view.strides[0], {b - a, C}, v.view.strides};
      int64_t first = 0, end = 0;
      rowsView.Extent(itemsize, &first, &end);
      if (InHole(map, first, end)) {
        for (int64_t j = 0; j < outCols; ++j) {
          Moments& m = row.px[static_cast<size_t>(j)];
          m.finite = (b - a) * (colStart[j + 1] - colStart[j]);
          m.min = m.max = 0;
        }
        Emit(k, row, out.data(), transposed, spec.outCols, outCols);
        state.done.fetch_add((b - a) * C, std::memory_order_relaxed);
        return true;
      }
    }
    for (int64_t r = a; r < b; ++r) {
      const uint8_t* p = map.data + v.view.base + r * v.view.strides[0];
      if (contiguous) {
        if (v.elem == Elem::F4 && reinterpret_cast<uintptr_t>(p) % 4 == 0) {
          AddSegment(level, reinterpret_cast<const float*>(p), colStart, row);
          continue;
        }
        if (v.elem == Elem::F8 && reinterpret_cast<uintptr_t>(p) % 8 == 0) {
          AddSegment(level, reinterpret_cast<const double*>(p), colStart, row);
          continue;
        }
      }
      // anything else: the row's values decoded in order, then added the same way
      double* d = row.values.data();
      ForEachPiece(map.data, v, r * C, (r + 1) * C, C, row.pieces,
                   [&](const uint8_t* data, const TypedView& tv, int64_t j0, int64_t j1) {
                     WithElem(tv.elem, [&](auto e) {
                       Walk<decltype(e)::value>(data, tv.view, j0, j1, tv.swap,
                                                [&](double x, const uint8_t*) { *d++ = x; });
                     });
                   });
      AddSegment(level, row.values.data(), colStart, row);
    }
    Emit(k, row, out.data(), transposed, spec.outCols, outCols);
    state.done.fetch_add((b - a) * C, std::memory_order_relaxed);
    return true;
  });
  return {std::move(out)};
}

}  // namespace arrayscope
