// The portable kernels (compiled plain and, for statistics, again for AVX2) and the choice of level.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "kernels.h"
#include "kernels_avx512.h"

namespace arrayscope {
namespace {

// Statistics of a contiguous run of native floats: eight independent accumulators so that the adds and
// compares do not wait on each other; specials (NaN, ±Inf) are rare and counted on a side branch.
template <typename T>
inline __attribute__((always_inline)) void StatsBody(const T* p, int64_t n, double shift, Moments& m) {
  constexpr int L = 8;
  double a1[L] = {0}, a2[L] = {0}, lo[L], hi[L];
  int64_t fin[L] = {0};
  for (int l = 0; l < L; ++l) lo[l] = HUGE_VAL, hi[l] = -HUGE_VAL;
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    // 8 KiB ahead (kernels_avx512.cc says why); a prefetch past the run's end does not fault
    __builtin_prefetch(reinterpret_cast<const char*>(p + i) + 8192);
    for (int l = 0; l < L; ++l) {
      const double x = static_cast<double>(p[i + l]);
      const bool ok = (x - x) == 0.0;  // false for NaN and ±Inf
      const double d = ok ? x - shift : 0.0;
      a1[l] += d;
      a2[l] += d * d;
      lo[l] = ok && x < lo[l] ? x : lo[l];
      hi[l] = ok && x > hi[l] ? x : hi[l];
      fin[l] += ok;
    }
  }
  for (; i < n; ++i) {
    const double x = static_cast<double>(p[i]);
    const bool ok = (x - x) == 0.0;
    const double d = ok ? x - shift : 0.0;
    a1[0] += d;
    a2[0] += d * d;
    lo[0] = ok && x < lo[0] ? x : lo[0];
    hi[0] = ok && x > hi[0] ? x : hi[0];
    fin[0] += ok;
  }
  int64_t finite = 0;
  for (int l = 0; l < L; ++l) {
    m.s1 += a1[l], m.s2 += a2[l], finite += fin[l];
    m.min = std::min(m.min, lo[l]), m.max = std::max(m.max, hi[l]);
  }
  m.finite += finite;
  if (finite != n) {
    for (int64_t k = 0; k < n; ++k) {
      const double x = static_cast<double>(p[k]);
      if (std::isnan(x))
        ++m.nan;
      else if (std::isinf(x))
        (x > 0 ? ++m.pinf : ++m.ninf);
    }
  }
}

// The column sweep: first whether the row is all finite (an OR over the exponent bits, which vectorizes where
// a float compare reduction would not), then one branch-free loop the compiler vectorizes.
template <typename T, typename U>
inline __attribute__((always_inline)) bool ColumnsBody(const T* __restrict p, int64_t n, T* __restrict mn,
                                                       T* __restrict mx, double* __restrict sum) {
  static_assert(sizeof(T) == sizeof(U));
  constexpr U kExp = sizeof(T) == 4 ? U(0x7f800000u) : U(0x7ff0000000000000ull);
  U special = 0;
  for (int64_t c = 0; c < n; ++c) {
    U bits;
    std::memcpy(&bits, p + c, sizeof bits);
    special |= (bits & kExp) == kExp ? U(1) : U(0);
  }
  if (special) return false;
  for (int64_t c = 0; c < n; ++c) {
    const T v = p[c];
    mn[c] = v < mn[c] ? v : mn[c];
    mx[c] = v > mx[c] ? v : mx[c];
    sum[c] += static_cast<double>(v);
  }
  return true;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2,fma"))) bool ColumnsF4Avx2(const float* p, int64_t n, float* mn, float* mx,
                                                       double* sum) {
  return ColumnsBody<float, uint32_t>(p, n, mn, mx, sum);
}
__attribute__((target("avx2,fma"))) bool ColumnsF8Avx2(const double* p, int64_t n, double* mn, double* mx,
                                                       double* sum) {
  return ColumnsBody<double, uint64_t>(p, n, mn, mx, sum);
}
#endif

template <typename T>
void MinMaxBody(const T* p, int64_t n, double& mn, double& mx) {
  constexpr int L = 8;
  T lo[L], hi[L];
  for (int l = 0; l < L; ++l)
    lo[l] = std::numeric_limits<T>::infinity(), hi[l] = -std::numeric_limits<T>::infinity();
  int64_t i = 0;
  for (; i + L <= n; i += L) {
    for (int l = 0; l < L; ++l) {
      const T x = p[i + l];
      lo[l] = x < lo[l] ? x : lo[l];  // NaN compares false: ignored
      hi[l] = x > hi[l] ? x : hi[l];
    }
  }
  for (; i < n; ++i) {
    lo[0] = p[i] < lo[0] ? p[i] : lo[0];
    hi[0] = p[i] > hi[0] ? p[i] : hi[0];
  }
  for (int l = 0; l < L; ++l) mn = std::min<double>(mn, lo[l]), mx = std::max<double>(mx, hi[l]);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define ARRAYSCOPE_HAVE_AVX2 1
__attribute__((target("avx2,fma"))) void StatsF4Avx2(const float* p, int64_t n, double shift, Moments& m) {
  StatsBody<float>(p, n, shift, m);
}
__attribute__((target("avx2,fma"))) void StatsF8Avx2(const double* p, int64_t n, double shift, Moments& m) {
  StatsBody<double>(p, n, shift, m);
}
#endif

void StatsF4Scalar(const float* p, int64_t n, double shift, Moments& m) { StatsBody<float>(p, n, shift, m); }
void StatsF8Scalar(const double* p, int64_t n, double shift, Moments& m) {
  StatsBody<double>(p, n, shift, m);
}

Simd ParseLevel(const char* s, Simd fallback) {
  if (s == nullptr) return fallback;
  const std::string v = s;
  if (v == "scalar") return Simd::kScalar;
  if (v == "avx2") return Simd::kAvx2;
  if (v == "avx512") return Simd::kAvx512;
  return fallback;
}

}  // namespace

Simd BestSimd() {
#if defined(ARRAYSCOPE_HAVE_AVX512)
  static const Simd best = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
                               ? Simd::kAvx512
                           : __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? Simd::kAvx2
                                                                                             : Simd::kScalar;
  return best;
#else
  return Simd::kScalar;
#endif
}

Simd ActiveSimd() {
  const Simd best = BestSimd();
  const Simd asked = ParseLevel(std::getenv("ARRAYSCOPE_SIMD"), best);
  return std::min(asked, best);
}

const char* SimdName(Simd level) {
  switch (level) {
    case Simd::kScalar:
      return "scalar";
    case Simd::kAvx2:
      return "avx2";
    case Simd::kAvx512:
      return "avx512";
  }
  return "scalar";
}

std::vector<Simd> AvailableSimd() {
  std::vector<Simd> out;
  for (Simd s : {Simd::kScalar, Simd::kAvx2, Simd::kAvx512})
    if (s <= BestSimd()) out.push_back(s);
  return out;
}

void StatsRun(Simd level, const float* p, int64_t n, double shift, Moments& m) {
#ifdef ARRAYSCOPE_HAVE_AVX512
  if (level >= Simd::kAvx512) return StatsF4Avx512(p, n, shift, m);
  if (level >= Simd::kAvx2) return StatsF4Avx2(p, n, shift, m);
#endif
  (void)level;
  StatsF4Scalar(p, n, shift, m);
}

void StatsRun(Simd level, const double* p, int64_t n, double shift, Moments& m) {
#ifdef ARRAYSCOPE_HAVE_AVX2
  if (level >= Simd::kAvx2) return StatsF8Avx2(p, n, shift, m);
#endif
  (void)level;
  StatsF8Scalar(p, n, shift, m);
}

void MinMaxRun(Simd level, const float* p, int64_t n, double& mn, double& mx) {
#ifdef ARRAYSCOPE_HAVE_AVX512
  if (level >= Simd::kAvx512) return MinMaxF4Avx512(p, n, mn, mx);
#endif
  (void)level;
  MinMaxBody<float>(p, n, mn, mx);
}

void MinMaxRun(Simd, const double* p, int64_t n, double& mn, double& mx) { MinMaxBody<double>(p, n, mn, mx); }

bool ColumnsRun(Simd level, const float* p, int64_t n, float* mn, float* mx, double* sum) {
#ifdef ARRAYSCOPE_HAVE_AVX2
  if (level >= Simd::kAvx2) return ColumnsF4Avx2(p, n, mn, mx, sum);
#endif
  (void)level;
  return ColumnsBody<float, uint32_t>(p, n, mn, mx, sum);
}

bool ColumnsRun(Simd level, const double* p, int64_t n, double* mn, double* mx, double* sum) {
#ifdef ARRAYSCOPE_HAVE_AVX2
  if (level >= Simd::kAvx2) return ColumnsF8Avx2(p, n, mn, mx, sum);
#endif
  (void)level;
  return ColumnsBody<double, uint64_t>(p, n, mn, mx, sum);
}

void HistRun(Simd level, const float* p, int64_t n, const HistParams& h) {
#ifdef ARRAYSCOPE_HAVE_AVX512
  if (level >= Simd::kAvx512) return HistF4Avx512(p, n, h);
#endif
  (void)level;
  for (int64_t i = 0; i < n; ++i) {
    const double x = p[i];
    if (x >= h.lo && x <= h.hi) ++h.counts[ExactBin(x, h.lo, h.norm, h.edges, h.bins)];
  }
}

}  // namespace arrayscope
