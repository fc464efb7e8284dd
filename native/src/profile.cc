// Statistics along an axis: per row (or per column) of a 2-D view, the count, mean, min, max and population
// std of its finite elements — a profile of the view, as np.nanmean(v, axis=…) and friends over the finite
// values. One pass in file order: like the heatmap's blocks (reduce.cc), the view is walked along its axis
// with the larger stride (an F-order view as its transpose), in chunks of whole rows of that walk. Kept lines
// that are walked rows finish inside one chunk; kept lines that are walked columns gather per thread and are
// combined at the end (Chan's parallel variance), so the answer does not depend on the number of threads in
// anything but rounding.
#include <algorithm>
#include <cmath>
#include <limits>

#include "scan_ops.h"

namespace arrayscope {
namespace {

// Running count, mean, sum of squared deviations (Welford), min and max of finite values.
struct Acc {
  double n = 0, mean = 0, m2 = 0, mn = HUGE_VAL, mx = -HUGE_VAL;
  void Add(double x) {
    if (!std::isfinite(x)) return;
    n += 1;
    const double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
  }
  void Merge(const Acc& o) {
    if (o.n == 0) return;
    if (n == 0) {
      *this = o;
      return;
    }
    const double total = n + o.n, d = o.mean - mean;
    mean += d * o.n / total;
    m2 += o.m2 + d * d * n * o.n / total;
    n = total;
    mn = std::min(mn, o.mn);
    mx = std::max(mx, o.mx);
  }
};

// Elements [j0, j1) of the walk (C order of walked rows of C elements) into accs: per walked row (byRow) or
// per walked column. col carries the column of element j0 over from one piece to the next; row that of the
// row.
template <Elem E>
void Accumulate(const uint8_t* data, const TypedView& tv, int64_t j0, int64_t j1, int64_t C, bool byRow,
                int64_t& row, int64_t& col, Acc* accs) {
  Walk<E>(data, tv.view, j0, j1, tv.swap, [&](double x, const uint8_t*) {
    accs[byRow ? row : col].Add(x);
    if (++col == C) {
      col = 0;
      ++row;
    }
  });
}

}  // namespace

ProfileResult RunProfile(const MapInfo& map, ScanState& state, const ProfileSpec& spec, int threads) {
  TypedView v = spec.v;
  int keep = spec.keep;
  if (std::llabs(v.view.strides[1]) > std::llabs(v.view.strides[0])) {
    std::swap(v.view.shape[0], v.view.shape[1]);
    std::swap(v.view.strides[0], v.view.strides[1]);
    keep = 1 - keep;
  }
  const int64_t R = v.view.shape[0], C = v.view.shape[1];
  const bool byRow = keep == 0;  // the kept lines are the walk's rows
  const int64_t out = byRow ? R : C;
  // chunks of whole walked rows, about ChunkElems elements each, in address order
  const int64_t per = std::max<int64_t>(1, ChunkElems(R * C, ItemSize(v.elem)) / std::max<int64_t>(1, C));
  const int64_t chunks = R == 0 || C == 0 ? 0 : (R + per - 1) / per;
  const bool reversed = v.view.strides[0] < 0;
  auto rowsOf = [=](int64_t k) {
    const int64_t c = reversed ? chunks - 1 - k : k;
    return std::make_pair(c * per, std::min(R, (c + 1) * per));
  };
  std::vector<Acc> rows(byRow ? out : 0);
  std::vector<std::vector<Acc>> cols(byRow ? 0 : threads, std::vector<Acc>(byRow ? 0 : out));
  std::vector<PieceScratch> scratch(threads);
  const PassPlan plan = RangePlan(v, threads, chunks, [=](int64_t k) {
    const auto [a, b] = rowsOf(k);
    return std::make_pair(a * C, b * C);
  });
  RunPass(map, state, plan, [&](int64_t k, int t) {
    const auto [a, b] = rowsOf(k);
    int64_t row = a, col = 0;
    Acc* accs = byRow ? rows.data() : cols[t].data();
    ForEachPiece(map.data, v, a * C, b * C, (b - a) * C, scratch[t],
                 [&](const uint8_t* d, const TypedView& tv, int64_t j0, int64_t j1) {
                   WithElem(tv.elem, [&](auto e) {
                     Accumulate<decltype(e)::value>(d, tv, j0, j1, C, byRow, row, col, accs);
                   });
                 });
    state.done.fetch_add((b - a) * C, std::memory_order_relaxed);
    return true;
  });
  if (!byRow) {
    rows.assign(out, Acc{});
    for (const auto& part : cols)
      for (int64_t j = 0; j < out; ++j) rows[j].Merge(part[j]);
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ProfileResult r;
  r.count.resize(out);
  r.mean.resize(out);
  r.min.resize(out);
  r.max.resize(out);
  r.std.resize(out);
  for (int64_t i = 0; i < out; ++i) {
    const Acc& a = rows[i];
    r.count[i] = a.n;
    r.mean[i] = a.n ? a.mean : nan;
    r.min[i] = a.n ? a.mn : nan;
    r.max[i] = a.n ? a.mx : nan;
    r.std[i] = a.n ? std::sqrt(a.m2 / a.n) : nan;
  }
  return r;
}

}  // namespace arrayscope
