// Kernels over contiguous runs of native-order floats, in one version per SIMD level. The level is chosen at
// run time (what the CPU has, lowered by ARRAYSCOPE_SIMD=scalar|avx2|avx512 so that every level can be tested
// on one machine); strided, swapped and non-float views use the element-by-element walks instead.
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "hist_params.h"

namespace arrayscope {

enum class Simd { kScalar, kAvx2, kAvx512 };

// The best level this CPU runs.
Simd BestSimd();
// BestSimd() lowered by ARRAYSCOPE_SIMD (read at each call: a scan picks its level when it starts).
Simd ActiveSimd();
const char* SimdName(Simd level);
// Every level this CPU runs, lowest first.
std::vector<Simd> AvailableSimd();

// Statistics of finite values (count, min, max, sums of (x - shift) and its square) and counts of NaN, ±Inf.
struct Moments {
  int64_t finite = 0, nan = 0, pinf = 0, ninf = 0;
  double min = HUGE_VAL, max = -HUGE_VAL;
  double s1 = 0, s2 = 0;
};

void StatsRun(Simd level, const float* p, int64_t n, double shift, Moments& m);
void StatsRun(Simd level, const double* p, int64_t n, double shift, Moments& m);
// min and max with NaN ignored (mn/mx stay ±HUGE_VAL when every value is NaN).
void MinMaxRun(Simd level, const float* p, int64_t n, double& mn, double& mx);
void MinMaxRun(Simd level, const double* p, int64_t n, double& mn, double& mx);
// One row of a narrow-block image tile added column-wise when it holds no NaN or ±Inf: mn[c] = min(mn[c],
// p[c]), mx[c] = max(mx[c], p[c]), sum[c] += p[c] for c < n. Returns false, changing nothing, when the row
// holds one (the caller then adds it value by value).
bool ColumnsRun(Simd level, const float* p, int64_t n, float* mn, float* mx, double* sum);
bool ColumnsRun(Simd level, const double* p, int64_t n, double* mn, double* mx, double* sum);
// Counts the values of [lo, hi] into h.counts (the 4 interleaved copies).
void HistRun(Simd level, const float* p, int64_t n, const HistParams& h);

}  // namespace arrayscope
