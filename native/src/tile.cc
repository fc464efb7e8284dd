// Image tiles: a region of a 2-D view reduced to outRows × outCols pixels, each the min, max and mean of the
// finite elements of its block and flags for NaN / ±Inf among them, as float32 (the heatmap viewer's pyramid:
// a tile at level L has one pixel per 2^L × 2^L elements). Walks the region along the axis with the larger
// stride (an F-order view as its transpose), contiguous float rows through the SIMD statistics kernels.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels_avx512.h"
#include "scan_ops.h"

namespace arrayscope {
namespace {

// Blocks at least this many elements wide are reduced a row segment at a time by the SIMD statistics kernels;
// narrower ones column-wise: a kernel call per 16 elements costs more than the elements (measured on a warm
// 16384² float32 view, every tile of a level: 16-wide blocks 290 ms column-wise against 410–990 ms by kernel
// calls, 8-wide 410 against 530–930; 32-wide 250 against 130–230; with the ColumnsRun kernel for rows without
// NaN/±Inf, 16-wide 150–185 ms against 110 ms for 32-wide by kernel calls and 75 ms for plain statistics).
constexpr int64_t kWideBlock = 32;
// With AVX-512, float32 blocks at least this wide go through BlocksF4Avx512 instead, whatever their width:
// every tile of a level of the warm 16384² view, 4-wide 498 → 431 ms, 8-wide 238 → 165, 16-wide 152 → 77,
// 32-wide 110 → 56, 64-wide 93 → 52 (a plain statistics pass: 70 ms).
constexpr int64_t kRegisterBlock = 4;

// Per source column of a native float region, what the source rows of one output row hold so far (narrow
// blocks: the rows are added column-wise, in one vectorized sweep each, and each block's columns reduced once
// at the end, instead of one short horizontal reduction per block per row). A row without NaN or ±Inf (the
// usual case) goes through the ColumnsRun kernel and only counts in goodRows; the others are added here, with
// counts and flags kept as T so that every loop works in one vector type.
template <typename T>
struct Columns {
  std::vector<T> mn, mx, finite, nan, pinf, ninf, y;
  std::vector<double> sum;
  int64_t goodRows = 0;
  void Reset(int64_t C) {
    goodRows = 0;
    const size_t n = static_cast<size_t>(C);
    mn.assign(n, std::numeric_limits<T>::infinity());
    mx.assign(n, -std::numeric_limits<T>::infinity());
    for (auto* v : {&finite, &nan, &pinf, &ninf}) v->assign(n, T(0));
    y.resize(n);
    sum.assign(n, 0.0);
  }
};

// What one output row gathers: per output column the moments of its block.
struct TileRow {
  std::vector<Moments> px;
  std::vector<double> values;  // a source row segment decoded to float64 (views that are not native floats)
  PieceScratch pieces;
  HoleSpan hole;  // what this thread last learnt of a sparse file's holes
  Columns<float> f4;
  Columns<double> f8;
};

// One source row into the columns: loops without branches, which the compiler vectorizes (x < m ? x : m is
// minps; a NaN compares false and leaves m). A NaN or ±Inf leaves min, max, sum and the count alone and sets
// its flag.
template <typename T>
void AddColumns(const T* __restrict p, int64_t C, Columns<T>& a) {
  T* __restrict mn = a.mn.data();
  T* __restrict mx = a.mx.data();
  T* __restrict y = a.y.data();
  T* __restrict finite = a.finite.data();
  T* __restrict nan = a.nan.data();
  T* __restrict pinf = a.pinf.data();
  T* __restrict ninf = a.ninf.data();
  double* __restrict sum = a.sum.data();
  const T inf = std::numeric_limits<T>::infinity();
  for (int64_t c = 0; c < C; ++c) {
    const T v = p[c] - p[c] == 0 ? p[c] : std::numeric_limits<T>::quiet_NaN();  // NaN for NaN and ±Inf
    mn[c] = v < mn[c] ? v : mn[c];
    mx[c] = v > mx[c] ? v : mx[c];
  }
  for (int64_t c = 0; c < C; ++c) y[c] = p[c] - p[c] == 0 ? p[c] : T(0);
  for (int64_t c = 0; c < C; ++c) finite[c] += p[c] - p[c] == 0 ? T(1) : T(0);
  for (int64_t c = 0; c < C; ++c) nan[c] = p[c] != p[c] ? T(1) : nan[c];
  for (int64_t c = 0; c < C; ++c) pinf[c] = p[c] == inf ? T(1) : pinf[c];
  for (int64_t c = 0; c < C; ++c) ninf[c] = p[c] == -inf ? T(1) : ninf[c];
  for (int64_t c = 0; c < C; ++c) sum[c] += static_cast<double>(y[c]);
}

// The columns of each output column's block into its moments.
template <typename T>
void ReduceColumns(const Columns<T>& a, const std::vector<int64_t>& colStart, TileRow& row) {
  for (size_t j = 0; j < row.px.size(); ++j) {
    Moments& m = row.px[j];
    for (int64_t c = colStart[j]; c < colStart[j + 1]; ++c) {
      const int64_t finite = a.goodRows + static_cast<int64_t>(a.finite[c]);
      m.finite += finite;
      m.s1 += a.sum[c];
      m.nan |= a.nan[c] != 0;
      m.pinf |= a.pinf[c] != 0;
      m.ninf |= a.ninf[c] != 0;
      if (finite != 0) {
        m.min = std::min(m.min, static_cast<double>(a.mn[c]));
        m.max = std::max(m.max, static_cast<double>(a.mx[c]));
      }
    }
  }
}

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

// `rows` source rows of zeros (a sparse file's hole) into the output columns' moments.
void AddZeros(int64_t rows, const std::vector<int64_t>& colStart, TileRow& row) {
  for (size_t j = 0; j < row.px.size(); ++j) {
    Moments& m = row.px[j];
    m.finite += rows * (colStart[j + 1] - colStart[j]);
    m.min = std::min(m.min, 0.0);
    m.max = std::max(m.max, 0.0);
  }
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
  const int64_t itemsize = ReadSize(v);
  PassPlan plan = RangePlan(v, threads, R == 0 || C == 0 ? 0 : outRows,
                            [&](int64_t k) { return std::make_pair(rowStart(k) * C, rowStart(k + 1) * C); });
  // a sparse file's holes (mode r) read as zeros: plain views need not read them (a scaled view's stored
  // zeros are not its zeros); a gated tile's holes are parts of a copy not written yet (read through the
  // gate)
  const bool holes = !v.quantized && !v.scaled && state.ready == nullptr;
  if (spec.sample) {
    // one element per pixel, at the centre of its block: no readahead worth doing (scattered single reads)
    plan.ranges = [](int64_t, std::vector<ByteRange>& ranges) { ranges.clear(); };
    RunPass(map, state, plan, [&](int64_t k, int t) {
      TileRow& row = rows[t];
      const int64_t r = (rowStart(k) + rowStart(k + 1)) / 2;
      for (int64_t j = 0; j < outCols; ++j) {
        const int64_t c = (colStart[j] + colStart[j + 1]) / 2;
        double x = NAN;
        // an element in a hole of a sparse file is 0, without a page fault there (each costs the file system
        // a lookup: a sampled tile of a 40 GB sparse file took 2 s)
        const int64_t at = v.view.base + r * v.view.strides[0] + c * v.view.strides[1];
        if (holes && InHole(map, at, at + itemsize, &row.hole)) {
          x = 0;
        } else {
          ForEachPiece(map.data, v, r * C + c, r * C + c + 1, 1, row.pieces,
                       [&](const uint8_t* data, const TypedView& tv, int64_t j0, int64_t j1) {
                         WithElem(tv.elem, [&](auto e) {
                           Walk<decltype(e)::value>(data, tv.view, j0, j1, tv.swap,
                                                    [&](double y, const uint8_t*) { x = y; });
                         });
                       });
        }
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
  // output row k's blocks: rows [a, b) of the region added into row.px
  const auto addRows = [&](int64_t a, int64_t b, TileRow& row) {
    // rows lying in a hole: counted as zeros, not read — all the block's rows at once, else row by row below
    const auto inHole = [&](int64_t r0, int64_t r1) {
      ViewSpec rowsView{v.view.base + r0 * v.view.strides[0], {r1 - r0, C}, v.view.strides};
      int64_t from = 0, end = 0;
      rowsView.Extent(itemsize, &from, &end);
      return InHole(map, from, end, &row.hole);
    };
    if (holes && inHole(a, b)) {
      AddZeros(b - a, colStart, row);
      return;
    }
    const uint8_t* first = map.data + v.view.base + a * v.view.strides[0];
    const bool aligned =
        reinterpret_cast<uintptr_t>(first) % itemsize == 0 && v.view.strides[0] % itemsize == 0;
#ifdef ARRAYSCOPE_HAVE_AVX512
    // blocks at least kRegisterBlock wide of aligned float32 without holes, AVX-512: each block walked down
    // its rows with its accumulators in registers, reduced once
    if (level >= Simd::kAvx512 && contiguous && aligned && v.elem == Elem::F4 &&
        (blockCols == 0 || blockCols >= kRegisterBlock)) {
      bool hole = false;
      for (int64_t r = a; holes && r < b && !hole; ++r) hole = inHole(r, r + 1);
      if (!hole) {
        // at most 32 rows at a time: each is a stream the hardware prefetcher follows (64 were too many)
        const int64_t stride = v.view.strides[0] / 4;
        for (int64_t g = a; g < b; g += 32) {
          BlocksF4Avx512(reinterpret_cast<const float*>(first) + (g - a) * stride, stride,
                         std::min<int64_t>(32, b - g), colStart.data(), outCols, row.px.data());
        }
        return;
      }
    }
#endif
    // narrow blocks of native floats, aligned: the rows added column-wise, the blocks reduced once
    if (contiguous && aligned && blockCols > 0 && blockCols < kWideBlock) {
      const auto sweep = [&](auto& cols, auto* type) {
        using T = std::remove_pointer_t<decltype(type)>;
        cols.Reset(C);
        for (int64_t r = a; r < b; ++r) {
          if (holes && inHole(r, r + 1)) {
            AddZeros(1, colStart, row);
            continue;
          }
          const T* p = reinterpret_cast<const T*>(map.data + v.view.base + r * v.view.strides[0]);
          if (ColumnsRun(level, p, C, cols.mn.data(), cols.mx.data(), cols.sum.data()))
            ++cols.goodRows;
          else
            AddColumns(p, C, cols);
        }
        ReduceColumns(cols, colStart, row);
      };
      if (v.elem == Elem::F4)
        sweep(row.f4, static_cast<float*>(nullptr));
      else
        sweep(row.f8, static_cast<double*>(nullptr));
      return;
    }
    for (int64_t r = a; r < b; ++r) {
      if (holes && inHole(r, r + 1)) {
        AddZeros(1, colStart, row);
        continue;
      }
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
  };
  RunPass(map, state, plan, [&](int64_t k, int t) {
    TileRow& row = rows[t];
    std::fill(row.px.begin(), row.px.end(), Moments{});
    const int64_t a = rowStart(k), b = rowStart(k + 1);
    addRows(a, b, row);
    Emit(k, row, out.data(), transposed, spec.outCols, outCols);
    state.done.fetch_add((b - a) * C, std::memory_order_relaxed);
    return true;
  });
  return {std::move(out)};
}

}  // namespace arrayscope
