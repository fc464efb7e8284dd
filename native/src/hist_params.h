// np.histogram's bins as the kernels count them: equal-width bins over [lo, hi], the last bin closed, each
// value placed exactly as np.searchsorted(edges, x, 'right') - 1 would place it.
#pragma once
#include <cmath>
#include <cstdint>

namespace arrayscope {

// The bin of lo <= x <= hi: the estimate from the bin width, then checked against the edges; hi goes in the
// last bin.
inline int64_t ExactBin(double x, double lo, double norm, const double* edges, int bins) {
  int64_t i = static_cast<int64_t>((x - lo) * norm);
  if (i >= bins) i = bins - 1;
  while (i > 0 && x < edges[i]) --i;
  while (i < bins - 1 && x >= edges[i + 1]) ++i;
  return i;
}

struct HistParams {
  double lo, hi, norm;
  int bins;
  const double* edges;
  int64_t* counts;  // 4 interleaved copies of bins counters (breaks store-to-load chains), summed at the end
  // float32 shortcut: a bin estimate (x - loRef) * normF computed in float is within floatEps of the exact
  // one (floatEps 0: float is not precise enough for this range, use float64)
  float loRef = 0, normF = 0, floatEps = 0;
};

// Sets the float32 shortcut of h when its error bound is small.
inline void PrepareFloatHist(HistParams& h) {
  // t = (x - loRef) * normF in float: rounding of loRef, normF, the subtraction and the product, in bins
  const double eps = h.bins * 4e-7 + std::fabs(h.lo) * h.norm * 2e-7 + 1e-6;
  if (!(eps < 1e-2) || !std::isfinite(h.lo) || !std::isfinite(h.hi)) return;
  h.loRef = static_cast<float>(h.lo), h.normF = static_cast<float>(h.norm);
  h.floatEps = static_cast<float>(eps);
}

}  // namespace arrayscope
