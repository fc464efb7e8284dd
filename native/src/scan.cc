#include "scan.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#ifndef _WIN32
#include <unistd.h>
#endif

#include "elem.h"
#include "guard.h"
#include "mapping.h"

namespace arrayscope {
namespace {

struct ViewSpec {
  int64_t base = 0;
  std::vector<int64_t> shape, strides;
  int64_t size() const {
    int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
  }
};

// Calls f(value) for the flat C-order elements [i0, i1) of the view, with element type E.
template <Elem E, typename F>
void Walk(const uint8_t* data, const ViewSpec& v, int64_t i0, int64_t i1, bool swap, F&& f) {
  const size_t nd = v.shape.size();
  if (i0 >= i1) return;
  std::vector<int64_t> idx(nd, 0);
  int64_t rest = i0;
  for (size_t k = nd; k-- > 0;) {
    idx[k] = rest % v.shape[k];
    rest /= v.shape[k];
  }
  const int64_t last = nd ? v.shape[nd - 1] : 1;
  const int64_t ls = nd ? v.strides[nd - 1] : 0;
  int64_t i = i0;
  while (i < i1) {
    int64_t off = v.base;
    for (size_t k = 0; k + 1 < nd; ++k) off += idx[k] * v.strides[k];
    const int64_t j0 = nd ? idx[nd - 1] : 0;
    const int64_t run = std::min(last - j0, i1 - i);
    const uint8_t* p = data + off + j0 * ls;
    for (int64_t j = 0; j < run; ++j, p += ls) f(Decode<E>(p, swap), p);
    i += run;
    // advance the odometer past the run
    if (nd == 0) break;
    idx[nd - 1] = 0;
    for (size_t k = nd - 1; k-- > 0;) {
      if (++idx[k] < v.shape[k]) break;
      idx[k] = 0;
    }
  }
}

// Calls run(p, count, stride) for the runs along the last axis that make up flat elements [i0, i1).
template <typename F>
void WalkRuns(const uint8_t* data, const ViewSpec& v, int64_t i0, int64_t i1, F&& run) {
  const size_t nd = v.shape.size();
  if (i0 >= i1 || nd == 0) return;
  std::vector<int64_t> idx(nd, 0);
  int64_t rest = i0;
  for (size_t k = nd; k-- > 0;) {
    idx[k] = rest % v.shape[k];
    rest /= v.shape[k];
  }
  const int64_t last = v.shape[nd - 1], ls = v.strides[nd - 1];
  for (int64_t i = i0; i < i1;) {
    int64_t off = v.base;
    for (size_t k = 0; k + 1 < nd; ++k) off += idx[k] * v.strides[k];
    const int64_t j0 = idx[nd - 1];
    const int64_t n = std::min(last - j0, i1 - i);
    run(data + off + j0 * ls, n, ls);
    i += n;
    idx[nd - 1] = 0;
    for (size_t k = nd - 1; k-- > 0;) {
      if (++idx[k] < v.shape[k]) break;
      idx[k] = 0;
    }
  }
}

// Statistics of a contiguous run of native floats: eight independent accumulators so that the adds and
// compares do not wait on each other; specials (NaN, ±Inf) are rare and counted on a side branch.
template <typename T>
inline __attribute__((always_inline)) void StatsContiguousBody(const T* p, int64_t n, double shift, int64_t& count, int64_t& nan, int64_t& pinf,
                     int64_t& ninf, double& mn, double& mx, double& s1, double& s2) {
  constexpr int L = 8;
  double a1[L] = {0}, a2[L] = {0}, lo[L], hi[L];
  int64_t fin[L] = {0};
  for (int l = 0; l < L; ++l) lo[l] = HUGE_VAL, hi[l] = -HUGE_VAL;
  int64_t i = 0;
  for (; i + L <= n; i += L) {
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
    s1 += a1[l], s2 += a2[l], finite += fin[l];
    mn = std::min(mn, lo[l]), mx = std::max(mx, hi[l]);
  }
  count += finite;
  if (finite != n) {
    for (int64_t k = 0; k < n; ++k) {
      const double x = static_cast<double>(p[k]);
      if (std::isnan(x)) ++nan;
      else if (std::isinf(x)) (x > 0 ? ++pinf : ++ninf);
    }
  }
}

template <typename T>
void MinMaxContiguous(const T* p, int64_t n, double& mn, double& mx) {
  constexpr int L = 8;
  T lo[L], hi[L];
  for (int l = 0; l < L; ++l) lo[l] = std::numeric_limits<T>::infinity(), hi[l] = -std::numeric_limits<T>::infinity();
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

// Runtime-dispatched clones: the same loop compiled for AVX2 where the CPU has it (x86-64 with GCC/Clang).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ARRAYSCOPE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ARRAYSCOPE_CLONES
#endif

ARRAYSCOPE_CLONES void StatsF4(const float* p, int64_t n, double shift, int64_t& count, int64_t& nan, int64_t& pinf,
                               int64_t& ninf, double& mn, double& mx, double& s1, double& s2) {
  StatsContiguousBody<float>(p, n, shift, count, nan, pinf, ninf, mn, mx, s1, s2);
}
ARRAYSCOPE_CLONES void StatsF8(const double* p, int64_t n, double shift, int64_t& count, int64_t& nan, int64_t& pinf,
                               int64_t& ninf, double& mn, double& mx, double& s1, double& s2) {
  StatsContiguousBody<double>(p, n, shift, count, nan, pinf, ninf, mn, mx, s1, s2);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define ARRAYSCOPE_AVX512 1
// GCC 12 warns about the intrinsics' own _mm512_undefined_* placeholders under -Wall -O3 (a false positive)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
// float32 statistics with AVX-512: 32 values per step in two independent halves; finite lanes by fpclass,
// masked min/max in float, sums of (x - shift) and squares in float64 (two 8-lane accumulators per half).
// Specials (NaN, ±Inf) are counted on a side path only in the rare steps that have any.
#define ARRAYSCOPE_AVX512_FN __attribute__((target("avx512f,avx512dq")))

struct Stats512 {
  __m512 lo, hi;
  __m512d a1[4], a2[4];
  int64_t finite = 0;
};

// One step of 16 values into accumulator pair h (0 or 1; two pairs keep the adds independent).
ARRAYSCOPE_AVX512_FN inline __attribute__((always_inline)) void Step512(Stats512& st, __m512 x, __m512d sh, int h) {
  const __mmask16 fin = static_cast<__mmask16>(~_mm512_fpclass_ps_mask(x, 0x99));  // not NaN/±Inf
  st.lo = _mm512_mask_min_ps(st.lo, fin, st.lo, x);
  st.hi = _mm512_mask_max_ps(st.hi, fin, st.hi, x);
  const __m512d dl = _mm512_sub_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(x)), sh);
  const __m512d dh =
      _mm512_sub_pd(_mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1))), sh);
  const __mmask8 ml = static_cast<__mmask8>(fin), mh = static_cast<__mmask8>(fin >> 8);
  st.a1[2 * h] = _mm512_mask_add_pd(st.a1[2 * h], ml, st.a1[2 * h], dl);
  st.a2[2 * h] = _mm512_mask3_fmadd_pd(dl, dl, st.a2[2 * h], ml);
  st.a1[2 * h + 1] = _mm512_mask_add_pd(st.a1[2 * h + 1], mh, st.a1[2 * h + 1], dh);
  st.a2[2 * h + 1] = _mm512_mask3_fmadd_pd(dh, dh, st.a2[2 * h + 1], mh);
  st.finite += __builtin_popcount(fin);
}

// float32 statistics with AVX-512: finite lanes by fpclass, masked min/max in float, sums of (x - shift) and
// squares in float64. Specials (NaN, ±Inf) are counted on a side path only when a run has any.
ARRAYSCOPE_AVX512_FN void StatsF4Avx512(const float* p, int64_t n, double shift, int64_t& count, int64_t& nan,
                                        int64_t& pinf, int64_t& ninf, double& mn, double& mx, double& s1,
                                        double& s2) {
  const __m512d sh = _mm512_set1_pd(shift);
  Stats512 st;
  st.lo = _mm512_set1_ps(HUGE_VALF);
  st.hi = _mm512_set1_ps(-HUGE_VALF);
  for (int k = 0; k < 4; ++k) st.a1[k] = st.a2[k] = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    Step512(st, _mm512_loadu_ps(p + i), sh, 0);
    Step512(st, _mm512_loadu_ps(p + i + 16), sh, 1);
  }
  for (; i + 16 <= n; i += 16) Step512(st, _mm512_loadu_ps(p + i), sh, 0);
  if (i < n) {
    // masked-off lanes load as NaN, which the finite mask drops
    const __mmask16 tail = static_cast<__mmask16>((1u << (n - i)) - 1);
    Step512(st, _mm512_mask_loadu_ps(_mm512_set1_ps(NAN), tail, p + i), sh, 0);
  }
  const __m512d t1 = _mm512_add_pd(_mm512_add_pd(st.a1[0], st.a1[1]), _mm512_add_pd(st.a1[2], st.a1[3]));
  const __m512d t2 = _mm512_add_pd(_mm512_add_pd(st.a2[0], st.a2[1]), _mm512_add_pd(st.a2[2], st.a2[3]));
  s1 += _mm512_reduce_add_pd(t1);
  s2 += _mm512_reduce_add_pd(t2);
  mn = std::min<double>(mn, _mm512_reduce_min_ps(st.lo));
  mx = std::max<double>(mx, _mm512_reduce_max_ps(st.hi));
  count += st.finite;
  if (st.finite != n) {
    for (int64_t k = 0; k < n; ++k) {
      const float x = p[k];
      if (std::isnan(x)) ++nan;
      else if (std::isinf(x)) (x > 0 ? ++pinf : ++ninf);
    }
  }
}

// min and max of float32 values, NaN ignored: _mm512_min_ps(x, acc) returns acc when x is NaN.
ARRAYSCOPE_AVX512_FN void MinMaxF4Avx512(const float* p, int64_t n, double& mn, double& mx) {
  __m512 lo[2] = {_mm512_set1_ps(HUGE_VALF), _mm512_set1_ps(HUGE_VALF)};
  __m512 hi[2] = {_mm512_set1_ps(-HUGE_VALF), _mm512_set1_ps(-HUGE_VALF)};
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m512 a = _mm512_loadu_ps(p + i), b = _mm512_loadu_ps(p + i + 16);
    lo[0] = _mm512_min_ps(a, lo[0]), hi[0] = _mm512_max_ps(a, hi[0]);
    lo[1] = _mm512_min_ps(b, lo[1]), hi[1] = _mm512_max_ps(b, hi[1]);
  }
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>(n - i >= 16 ? 0xffff : (1u << (n - i)) - 1);
    const __m512 a = _mm512_mask_loadu_ps(_mm512_set1_ps(NAN), m, p + i);
    lo[0] = _mm512_min_ps(a, lo[0]), hi[0] = _mm512_max_ps(a, hi[0]);
    if (n - i > 16) {
      const __mmask16 m2 = static_cast<__mmask16>((1u << (n - i - 16)) - 1);
      const __m512 b = _mm512_mask_loadu_ps(_mm512_set1_ps(NAN), m2, p + i + 16);
      lo[1] = _mm512_min_ps(b, lo[1]), hi[1] = _mm512_max_ps(b, hi[1]);
    }
  }
  mn = std::min<double>(mn, _mm512_reduce_min_ps(_mm512_min_ps(lo[0], lo[1])));
  mx = std::max<double>(mx, _mm512_reduce_max_ps(_mm512_max_ps(hi[0], hi[1])));
}

bool HasAvx512() {
  static const bool yes = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  return yes;
}
#endif

// np.histogram's placement of one value (lo <= x <= hi): the estimate from the bin width, then checked
// against the edges, as np.searchsorted(edges, x, 'right') - 1 would place it; hi goes in the last bin.
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

#ifdef ARRAYSCOPE_AVX512
// Eight float64 lanes: in-range lanes whose bin estimate is far (> 1e-9 bin) from an edge are counted at once;
// the few near an edge take ExactBin.
ARRAYSCOPE_AVX512_FN inline __attribute__((always_inline)) void Hist8(const HistParams& h, __m512d x) {
  const __m512d lo = _mm512_set1_pd(h.lo);
  const __mmask8 in = _mm512_cmp_pd_mask(x, lo, _CMP_GE_OQ) & _mm512_cmp_pd_mask(x, _mm512_set1_pd(h.hi), _CMP_LE_OQ);
  if (!in) return;
  const __m512d t = _mm512_mul_pd(_mm512_sub_pd(x, lo), _mm512_set1_pd(h.norm));
  __m256i bin = _mm512_cvttpd_epi32(t);
  const __m512d frac = _mm512_sub_pd(t, _mm512_cvtepi32_pd(bin));
  const __mmask8 near = _mm512_cmp_pd_mask(frac, _mm512_set1_pd(1e-9), _CMP_LT_OQ) |
                        _mm512_cmp_pd_mask(frac, _mm512_set1_pd(1 - 1e-9), _CMP_GT_OQ);
  bin = _mm256_min_epi32(bin, _mm256_set1_epi32(h.bins - 1));
  alignas(32) int32_t b[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(b), bin);
  const unsigned fast = in & ~near;
  int64_t* c = h.counts;
  const int64_t stride = h.bins;
  if (fast == 0xff) {
    ++c[b[0]], ++c[stride + b[1]], ++c[2 * stride + b[2]], ++c[3 * stride + b[3]];
    ++c[b[4]], ++c[stride + b[5]], ++c[2 * stride + b[6]], ++c[3 * stride + b[7]];
  } else {
    for (unsigned m = fast; m; m &= m - 1) {
      const int l = __builtin_ctz(m);
      ++c[(l & 3) * stride + b[l]];
    }
  }
  const unsigned slow = in & near;
  if (slow) {
    alignas(64) double xs[8];
    _mm512_store_pd(xs, x);
    for (unsigned m = slow; m; m &= m - 1) ++c[ExactBin(xs[__builtin_ctz(m)], h.lo, h.norm, h.edges, h.bins)];
  }
}

// Sixteen float32 lanes at once (h.floatEps > 0). A lane is counted at once when its estimate t lies inside
// [0, bins) and at least floatEps from a bin boundary; the rest — near an edge, below lo or above hi (t < 0 or
// t >= bins), NaN and ±Inf (cvtt gives INT_MIN) — take the exact path with its range check.
ARRAYSCOPE_AVX512_FN inline __attribute__((always_inline)) __mmask16 FloatBins(const HistParams& h, __m512 x,
                                                                              __m512i& bin) {
  const __m512 t = _mm512_mul_ps(_mm512_sub_ps(x, _mm512_set1_ps(h.loRef)), _mm512_set1_ps(h.normF));
  bin = _mm512_cvttps_epi32(t);
  // |frac - 0.5| < 0.5 - eps: frac = t - trunc(t) away from 0 and 1 (a negative frac fails too)
  const __m512 half = _mm512_sub_ps(_mm512_sub_ps(t, _mm512_cvtepi32_ps(bin)), _mm512_set1_ps(0.5f));
  return _mm512_cmp_ps_mask(_mm512_abs_ps(half), _mm512_set1_ps(0.5f - h.floatEps), _CMP_LT_OQ) &
         _mm512_cmp_epu32_mask(bin, _mm512_set1_epi32(h.bins), _MM_CMPINT_LT);
}

// The lanes of x not in mask, each placed exactly (and only if inside [lo, hi]); returns how many there were.
ARRAYSCOPE_AVX512_FN inline int CountExact(const HistParams& h, __m512 x, unsigned mask) {
  alignas(64) float xs[16];
  _mm512_store_ps(xs, x);
  int n = 0;
  for (unsigned m = ~mask & 0xffff; m; m &= m - 1, ++n) {
    const double v = xs[__builtin_ctz(m)];
    if (v >= h.lo && v <= h.hi) ++h.counts[ExactBin(v, h.lo, h.norm, h.edges, h.bins)];
  }
  return n;
}

ARRAYSCOPE_AVX512_FN inline __attribute__((always_inline)) void Hist16(const HistParams& h, __m512 x) {
  __m512i bin;
  const __mmask16 fast16 = FloatBins(h, x, bin);
  alignas(64) int32_t b[16];
  _mm512_store_si512(b, bin);
  asm volatile("" : : "r"(b) : "memory");  // read the lanes back from memory (cheap loads, not vpextrd)
  int64_t* c = h.counts;
  const int64_t st = h.bins;
  const unsigned fast = fast16;
  if (fast == 0xffff) {
    ++c[b[0]], ++c[st + b[1]], ++c[2 * st + b[2]], ++c[3 * st + b[3]];
    ++c[b[4]], ++c[st + b[5]], ++c[2 * st + b[6]], ++c[3 * st + b[7]];
    ++c[b[8]], ++c[st + b[9]], ++c[2 * st + b[10]], ++c[3 * st + b[11]];
    ++c[b[12]], ++c[st + b[13]], ++c[2 * st + b[14]], ++c[3 * st + b[15]];
    return;
  }
  for (unsigned m = fast; m; m &= m - 1) {
    const int l = __builtin_ctz(m);
    ++c[(l & 3) * st + b[l]];
  }
  CountExact(h, x, fast);
}

// At most 256 bins (h.floatEps > 0): the vector loop only writes each value's bin as a byte to a small buffer,
// and a separate scalar loop counts the bytes eight at a time into 4 tables — two simple loops pipeline better
// than one that mixes them. Lanes off the fast path (near an edge, out of range, NaN) are counted exactly at
// once and written as bin 0, which is taken back from bin 0's count at the end.
ARRAYSCOPE_AVX512_FN int64_t HistF4Bytes(const float* p, int64_t n, const HistParams& h) {
  alignas(64) uint8_t buf[4096];
  int64_t* c = h.counts;
  const int64_t st = h.bins;
  int64_t written0 = 0;  // off-path lanes written as bin 0
  int64_t i = 0;
  while (n - i >= 16) {
    const int64_t m = std::min<int64_t>(sizeof buf, (n - i) & ~int64_t{15});
    for (int64_t k = 0; k < m; k += 16) {
      const __m512 x = _mm512_loadu_ps(p + i + k);
      __m512i bin;
      const __mmask16 fast = FloatBins(h, x, bin);
      if (fast != 0xffff) {
        bin = _mm512_maskz_mov_epi32(fast, bin);
        written0 += CountExact(h, x, fast);
      }
      _mm_store_si128(reinterpret_cast<__m128i*>(buf + k), _mm512_cvtepi32_epi8(bin));
    }
    int64_t *c0 = c, *c1 = c + st, *c2 = c + 2 * st, *c3 = c + 3 * st;
    for (int64_t k = 0; k < m; k += 8) {
      uint64_t v;
      std::memcpy(&v, buf + k, 8);
      ++c0[v & 255], ++c1[(v >> 8) & 255], ++c2[(v >> 16) & 255], ++c3[(v >> 24) & 255];
      ++c0[(v >> 32) & 255], ++c1[(v >> 40) & 255], ++c2[(v >> 48) & 255], ++c3[v >> 56];
    }
    i += m;
  }
  c[0] -= written0;
  return i;
}

ARRAYSCOPE_AVX512_FN void HistF4Avx512(const float* p, int64_t n, const HistParams& h) {
  int64_t i = 0;
  if (h.floatEps > 0 && h.bins <= 256) i = HistF4Bytes(p, n, h);
  if (h.floatEps > 0) {
    for (; i + 16 <= n; i += 16) Hist16(h, _mm512_loadu_ps(p + i));
  }
  for (; i + 16 <= n; i += 16) {
    const __m512 x = _mm512_loadu_ps(p + i);
    Hist8(h, _mm512_cvtps_pd(_mm512_castps512_ps256(x)));
    Hist8(h, _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1))));
  }
  for (; i < n; ++i) {
    const double x = p[i];
    if (x >= h.lo && x <= h.hi) ++h.counts[ExactBin(x, h.lo, h.norm, h.edges, h.bins)];
  }
}
#endif

template <typename T>
void MinMax(const T* p, int64_t n, double& mn, double& mx) {
#ifdef ARRAYSCOPE_AVX512
  if constexpr (std::is_same_v<T, float>)
    if (HasAvx512()) return MinMaxF4Avx512(p, n, mn, mx);
#endif
  MinMaxContiguous<T>(p, n, mn, mx);
}

template <typename T>
void StatsContiguous(const T* p, int64_t n, double shift, int64_t& count, int64_t& nan, int64_t& pinf, int64_t& ninf,
                     double& mn, double& mx, double& s1, double& s2) {
  if constexpr (std::is_same_v<T, float>) {
#ifdef ARRAYSCOPE_AVX512
    if (HasAvx512()) return StatsF4Avx512(p, n, shift, count, nan, pinf, ninf, mn, mx, s1, s2);
#endif
    StatsF4(p, n, shift, count, nan, pinf, ninf, mn, mx, s1, s2);
  } else {
    StatsF8(p, n, shift, count, nan, pinf, ninf, mn, mx, s1, s2);
  }
}

enum class Op { Stats, Histogram, Buckets, Blocks, Find };

struct Job {
  Op op;
  Elem elem;
  bool swap = false;
  bool isInt = false;
  bool isSigned64 = false;
  bool isUnsigned64 = false;
  ViewSpec view;
  // histogram
  int bins = 0;
  double lo = 0, hi = 0;
  std::vector<double> edges;
  // buckets: over the flat range [start, stop)
  int64_t start = 0, stop = 0, buckets = 0;
  // blocks: a 2-D view reduced to outRows × outCols
  int64_t outRows = 0, outCols = 0;
  bool blockMax = false;
  // find: the first (or, backwards, the last) position p in [from, to) where the bytes match pattern under
  // mask (findBytes), or where the element of type elem at p lies in [lo, hi]; p aligned to alignStep from
  // alignBase. holeFd >= 0: the file's holes (SEEK_HOLE) may be skipped when zeros cannot match.
  bool findBytes = false, backwards = false;
  std::vector<uint8_t> pattern, mask;
  int64_t from = 0, to = 0, alignBase = 0, alignStep = 1, itemsize = 1;
  int holeFd = -1;
  int64_t size = 0;  // of the mapping
};

struct Acc {
  int64_t n = 0, nan = 0, pinf = 0, ninf = 0;
  double min = HUGE_VAL, max = -HUGE_VAL;
  double s1 = 0, s2 = 0;  // sums of (x - shift) and its square, for finite values
  __int128 isum = 0;      // exact sum for integer types
  int64_t imin = std::numeric_limits<int64_t>::max(), imax = std::numeric_limits<int64_t>::min();
  uint64_t umin = std::numeric_limits<uint64_t>::max(), umax = 0;
};

using Shared = ScanState;

constexpr int64_t kChunk = 1 << 16;

// Runs one chunk of a kernel under the SIGBUS guard; a fault (the file was truncated) stops every thread.
template <typename F>
bool GuardedChunk(Shared& sh, F&& fn) {
  if (Guarded(fn)) return true;
  sh.fault = true;
  sh.cancel = true;
  return false;
}

// counts: 4 copies of the bins (see HistParams), summed by the caller.
template <Elem E>
void HistChunk(const uint8_t* data, const Job& job, int64_t c0, int64_t c1, int64_t* counts) {
  HistParams h{job.lo, job.hi, job.bins / (job.hi - job.lo), job.bins, job.edges.data(), counts};
  PrepareFloatHist(h);
#ifdef ARRAYSCOPE_AVX512
  if constexpr (E == Elem::F4) {
    const auto& v = job.view;
    if (!job.swap && !v.strides.empty() && v.strides.back() == 4 && HasAvx512()) {
      WalkRuns(data, v, c0, c1, [&](const uint8_t* run, int64_t n, int64_t) {
        if (reinterpret_cast<uintptr_t>(run) % 4 == 0) return HistF4Avx512(reinterpret_cast<const float*>(run), n, h);
        float buf[1024];  // unaligned runs through an aligned buffer
        for (int64_t k = 0; k < n; k += 1024) {
          const int64_t m = std::min<int64_t>(1024, n - k);
          std::memcpy(buf, run + k * 4, m * 4);
          HistF4Avx512(buf, m, h);
        }
      });
      return;
    }
  }
#endif
  Walk<E>(data, job.view, c0, c1, job.swap, [&](double x, const uint8_t*) {
    if (x >= h.lo && x <= h.hi) ++counts[ExactBin(x, h.lo, h.norm, h.edges, h.bins)];
  });
}

template <Elem E>
void StatsRange(const uint8_t* data, const Job& job, double shift, int64_t i0, int64_t i1, Acc& a, int64_t* hist,
                Shared& sh) {
  for (int64_t c0 = i0; c0 < i1 && !sh.cancel.load(std::memory_order_relaxed); c0 += kChunk) {
    const int64_t c1 = std::min(i1, c0 + kChunk);
    auto stats = [&] {
          if constexpr (E == Elem::F4 || E == Elem::F8) {
            using T = std::conditional_t<E == Elem::F4, float, double>;
            const auto& v = job.view;
            if (!job.swap && !v.strides.empty() && v.strides.back() == static_cast<int64_t>(sizeof(T))) {
              double p1 = 0, p2 = 0;
              WalkRuns(data, v, c0, c1, [&](const uint8_t* run, int64_t n, int64_t) {
                if (reinterpret_cast<uintptr_t>(run) % alignof(T) != 0) {
                  // unaligned element offsets (offset 37 with <f8): copy through an aligned buffer
                  T buf[1024];
                  for (int64_t k = 0; k < n; k += 1024) {
                    const int64_t m = std::min<int64_t>(1024, n - k);
                    std::memcpy(buf, run + k * sizeof(T), m * sizeof(T));
                    StatsContiguous<T>(buf, m, shift, a.n, a.nan, a.pinf, a.ninf, a.min, a.max, p1, p2);
                  }
                } else {
                  StatsContiguous<T>(reinterpret_cast<const T*>(run), n, shift, a.n, a.nan, a.pinf, a.ninf, a.min,
                                     a.max, p1, p2);
                }
              });
              a.s1 += p1;
              a.s2 += p2;
              return;
            }
          }
          double p1 = 0, p2 = 0;  // per-chunk partial sums: two-level summation keeps float64 error small
          Walk<E>(data, job.view, c0, c1, job.swap, [&](double x, const uint8_t* ptr) {
            if constexpr (E == Elem::I8) {
              int64_t v = Load<int64_t>(ptr, job.swap);
              a.isum += v;
              a.imin = std::min(a.imin, v);
              a.imax = std::max(a.imax, v);
            } else if constexpr (E == Elem::U8) {
              uint64_t v = Load<uint64_t>(ptr, job.swap);
              a.isum += static_cast<__int128>(v);
              a.umin = std::min(a.umin, v);
              a.umax = std::max(a.umax, v);
            } else if constexpr (E == Elem::B1 || E == Elem::I1 || E == Elem::U1 || E == Elem::I2 || E == Elem::U2 ||
                                 E == Elem::I4 || E == Elem::U4) {
              a.isum += static_cast<int64_t>(x);
            }
            if (std::isnan(x)) {
              ++a.nan;
              return;
            }
            if (std::isinf(x)) {
              if (x > 0) ++a.pinf;
              else ++a.ninf;
              return;
            }
            ++a.n;
            a.min = x < a.min ? x : a.min;
            a.max = x > a.max ? x : a.max;
            const double d = x - shift;
            p1 += d;
            p2 += d * d;
          });
          a.s1 += p1;
          a.s2 += p2;
        };
    // with a histogram (its range given), the same chunk is counted while it is still in cache: one pass
    const bool ok = GuardedChunk(sh, [&] {
      stats();
      if (hist) HistChunk<E>(data, job, c0, c1, hist);
    });
    if (!ok) return;
    sh.done.fetch_add(c1 - c0, std::memory_order_relaxed);
  }
}

template <Elem E>
void HistRange(const uint8_t* data, const Job& job, int64_t i0, int64_t i1, std::vector<int64_t>& counts, Shared& sh) {
  for (int64_t c0 = i0; c0 < i1 && !sh.cancel.load(std::memory_order_relaxed); c0 += kChunk) {
    const int64_t c1 = std::min(i1, c0 + kChunk);
    if (!GuardedChunk(sh, [&] { HistChunk<E>(data, job, c0, c1, counts.data()); })) return;
    sh.done.fetch_add(c1 - c0, std::memory_order_relaxed);
  }
}

// min/max per bucket over [start, stop) of a 1-D view; NaN ignored (a bucket of only NaN gives NaN).
template <Elem E>
void BucketRange(const uint8_t* data, const Job& job, int64_t b0, int64_t b1, std::vector<double>& mins,
                 std::vector<double>& maxs, Shared& sh) {
  const int64_t len = job.stop - job.start;
  for (int64_t b = b0; b < b1 && !sh.cancel.load(std::memory_order_relaxed); ++b) {
    const int64_t e0 = job.start + static_cast<int64_t>((static_cast<__int128>(b) * len) / job.buckets);
    const int64_t e1 = job.start + static_cast<int64_t>((static_cast<__int128>(b + 1) * len) / job.buckets);
    double mn = HUGE_VAL, mx = -HUGE_VAL;
    const bool ok = GuardedChunk(sh, [&] {
          if constexpr (E == Elem::F4 || E == Elem::F8) {
            using T = std::conditional_t<E == Elem::F4, float, double>;
            const auto& v = job.view;
            if (!job.swap && v.strides.back() == static_cast<int64_t>(sizeof(T))) {
              bool aligned = true;
              WalkRuns(data, v, e0, e1, [&](const uint8_t* run, int64_t n, int64_t) {
                if (reinterpret_cast<uintptr_t>(run) % alignof(T) != 0) aligned = false;
                else MinMax<T>(reinterpret_cast<const T*>(run), n, mn, mx);
              });
              if (aligned) return;
              mn = HUGE_VAL, mx = -HUGE_VAL;  // an unaligned run: start again element by element
            }
          }
          Walk<E>(data, job.view, e0, e1, job.swap, [&](double x, const uint8_t*) {
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
          });
        });
    if (!ok) return;
    const bool empty = mn == HUGE_VAL && mx == -HUGE_VAL;
    mins[b] = empty ? std::numeric_limits<double>::quiet_NaN() : mn;
    maxs[b] = empty ? std::numeric_limits<double>::quiet_NaN() : mx;
    sh.done.fetch_add(e1 - e0, std::memory_order_relaxed);
  }
}

// Block reduction of a 2-D view: output rows [r0, r1) of outRows × outCols, mean or max of finite values.
template <Elem E>
void BlockRange(const uint8_t* data, const Job& job, int64_t r0, int64_t r1, std::vector<double>& out, Shared& sh) {
  const int64_t R = job.view.shape[0], C = job.view.shape[1];
  std::vector<double> sum(job.outCols), mx(job.outCols);
  std::vector<int64_t> n(job.outCols);
  std::vector<int64_t> colBlock(C);
  // column block j covers [j*C/outCols, (j+1)*C/outCols), as rows do
  for (int64_t j = 0; j < job.outCols; ++j) {
    for (int64_t c = (j * C) / job.outCols; c < ((j + 1) * C) / job.outCols; ++c) colBlock[c] = j;
  }
  for (int64_t orow = r0; orow < r1 && !sh.cancel.load(std::memory_order_relaxed); ++orow) {
    const int64_t a = (orow * R) / job.outRows, b = ((orow + 1) * R) / job.outRows;
    std::fill(sum.begin(), sum.end(), 0.0);
    std::fill(mx.begin(), mx.end(), -HUGE_VAL);
    std::fill(n.begin(), n.end(), 0);
    const bool ok = GuardedChunk(sh, [&] {
          int64_t col = 0;
          Walk<E>(data, job.view, a * C, b * C, job.swap, [&](double x, const uint8_t*) {
            const int64_t k = colBlock[col];
            if (++col == C) col = 0;
            if (!std::isfinite(x)) return;
            sum[k] += x;
            n[k] += 1;
            mx[k] = x > mx[k] ? x : mx[k];
          });
        });
    if (!ok) return;
    for (int64_t k = 0; k < job.outCols; ++k) {
      out[orow * job.outCols + k] =
          n[k] == 0 ? std::numeric_limits<double>::quiet_NaN() : job.blockMax ? mx[k] : sum[k] / n[k];
    }
    sh.done.fetch_add((b - a) * C, std::memory_order_relaxed);
  }
}

struct Result {
  int64_t found = -1;
  Acc acc;
  std::vector<int64_t> counts;
  std::vector<double> a, b;
};


// ---- find -------------------------------------------------------------------------------------------------

constexpr int64_t kFindChunk = 1 << 20;

// Ranges of match positions worth searching in [from, last): all of it, or, when zeros cannot match and the file
// has holes, only positions whose bytes [p, p + len) touch a data extent.
std::vector<std::pair<int64_t, int64_t>> FindSegments(const Job& job, int64_t last, int64_t len, bool zerosMatch) {
  std::vector<std::pair<int64_t, int64_t>> segs;
  if (job.from >= last) return segs;
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
  if (job.holeFd >= 0 && !zerosMatch) {
    int64_t pos = std::max<int64_t>(0, job.from - len + 1);
    const int64_t end = last + len - 1;  // the bytes any position in range can touch
    while (pos < end) {
      const off_t d = lseek(job.holeFd, pos, SEEK_DATA);
      if (d < 0) break;  // ENXIO: no data after pos
      off_t h = lseek(job.holeFd, d, SEEK_HOLE);
      if (h < 0) h = end;
      const int64_t s = std::max<int64_t>(job.from, d - len + 1), e = std::min<int64_t>(last, h);
      if (s < e) {
        if (!segs.empty() && s <= segs.back().second) segs.back().second = std::max(segs.back().second, e);
        else segs.emplace_back(s, e);
      }
      pos = h;
    }
    return segs;
  }
#endif
  segs.emplace_back(job.from, last);
  return segs;
}

inline bool AlignedAt(const Job& job, int64_t p) {
  if (job.alignStep <= 1) return true;
  const int64_t r = (p - job.alignBase) % job.alignStep;
  return r == 0;
}

// First aligned position >= p (or, down, last aligned position <= p).
inline int64_t AlignUp(const Job& job, int64_t p) {
  if (job.alignStep <= 1) return p;
  int64_t r = (p - job.alignBase) % job.alignStep;
  if (r < 0) r += job.alignStep;
  return r == 0 ? p : p + (job.alignStep - r);
}
inline int64_t AlignDown(const Job& job, int64_t p) {
  if (job.alignStep <= 1) return p;
  int64_t r = (p - job.alignBase) % job.alignStep;
  if (r < 0) r += job.alignStep;
  return p - r;
}

inline const uint8_t* LastByte(const uint8_t* p, int c, size_t n) {
#ifdef __GLIBC__
  return static_cast<const uint8_t*>(memrchr(p, c, n));
#else
  while (n-- > 0)
    if (p[n] == c) return p + n;
  return nullptr;
#endif
}

// Byte pattern with a mask: an anchor byte (fully masked, preferably not 0x00/0xFF) is found with memchr /
// memrchr, the rest compared at each hit. Returns the match in positions [c0, c1) nearest the search's start.
struct BytesMatcher {
  const uint8_t* data;
  const Job& job;
  int64_t anchor = -1;
  BytesMatcher(const uint8_t* d, const Job& j) : data(d), job(j) {
    for (size_t i = 0; i < j.pattern.size(); ++i) {
      if (j.mask[i] != 0xff) continue;
      if (anchor < 0 || ((j.pattern[anchor] == 0 || j.pattern[anchor] == 0xff) && j.pattern[i] != 0 && j.pattern[i] != 0xff))
        anchor = static_cast<int64_t>(i);
    }
  }
  bool At(int64_t p) const {
    const uint8_t* q = data + p;
    for (size_t i = 0; i < job.pattern.size(); ++i)
      if ((q[i] & job.mask[i]) != job.pattern[i]) return false;
    return AlignedAt(job, p);
  }
  int64_t Search(int64_t c0, int64_t c1) const {
    if (anchor < 0) {  // no whole byte to look for (nibble masks only): try every aligned position
      const int64_t step = std::max<int64_t>(1, job.alignStep);
      if (!job.backwards) {
        for (int64_t p = AlignUp(job, c0); p < c1; p += step)
          if (At(p)) return p;
      } else {
        for (int64_t p = AlignDown(job, c1 - 1); p >= c0; p -= step)
          if (At(p)) return p;
      }
      return -1;
    }
    const int a = job.pattern[anchor];
    const uint8_t* lo = data + c0 + anchor;
    size_t n = static_cast<size_t>(c1 - c0);
    if (!job.backwards) {
      while (n > 0) {
        const uint8_t* hit = static_cast<const uint8_t*>(std::memchr(lo, a, n));
        if (hit == nullptr) return -1;
        const int64_t p = (hit - data) - anchor;
        if (At(p)) return p;
        n -= static_cast<size_t>(hit + 1 - lo);
        lo = hit + 1;
      }
    } else {
      while (n > 0) {
        const uint8_t* hit = LastByte(lo, a, n);
        if (hit == nullptr) return -1;
        const int64_t p = (hit - data) - anchor;
        if (At(p)) return p;
        n = static_cast<size_t>(hit - lo);
      }
    }
    return -1;
  }
};

// A value of type E within [lo, hi] at aligned positions in [c0, c1).
template <Elem E>
int64_t SearchValue(const uint8_t* data, const Job& job, int64_t c0, int64_t c1) {
  const int64_t step = std::max<int64_t>(1, job.alignStep);
  if (!job.backwards) {
    for (int64_t p = AlignUp(job, c0); p < c1; p += step) {
      const double x = Decode<E>(data + p, job.swap);
      if (x >= job.lo && x <= job.hi) return p;
    }
  } else {
    for (int64_t p = AlignDown(job, c1 - 1); p >= c0; p -= step) {
      const double x = Decode<E>(data + p, job.swap);
      if (x >= job.lo && x <= job.hi) return p;
    }
  }
  return -1;
}

// Runs search(c0, c1) over the segments in chunks (from the far end when backwards), under the guard, with
// progress (positions passed, holes included) and cancellation between chunks.
template <typename S>
int64_t FindChunks(const Job& job, int64_t len, bool zerosMatch, Shared& sh, S&& search) {
  const int64_t last = std::max<int64_t>(job.from, std::min<int64_t>(job.to, job.size - len + 1));
  const auto segs = FindSegments(job, last, len, zerosMatch);
  int64_t found = -1;
  int64_t reached = job.backwards ? last : job.from;  // for progress: how far the search has come
  auto advance = [&](int64_t to) {
    sh.done.fetch_add(job.backwards ? reached - to : to - reached, std::memory_order_relaxed);
    reached = to;
  };
  const size_t ns = segs.size();
  for (size_t k = 0; k < ns && found < 0; ++k) {
    const auto [s, e] = segs[job.backwards ? ns - 1 - k : k];
    for (int64_t i = 0; i < e - s && found < 0; i += kFindChunk) {
      if (sh.cancel.load(std::memory_order_relaxed)) return -1;
      const int64_t c0 = job.backwards ? std::max(s, e - i - kFindChunk) : s + i;
      const int64_t c1 = job.backwards ? e - i : std::min(e, s + i + kFindChunk);
      auto run = [&] { found = search(c0, c1); };
      if (!GuardedChunk(sh, run)) return -1;
      advance(job.backwards ? c0 : c1);
    }
  }
  if (found < 0) advance(job.backwards ? job.from : last);
  return found;
}

int64_t FindBytes(const uint8_t* data, const Job& job, Shared& sh) {
  bool zeros = true;
  for (uint8_t b : job.pattern) zeros = zeros && b == 0;
  const BytesMatcher m(data, job);
  return FindChunks(job, static_cast<int64_t>(job.pattern.size()), zeros, sh,
                    [&](int64_t c0, int64_t c1) { return m.Search(c0, c1); });
}

// Per-thread counters, each 4 interleaved copies of the bins (HistParams), into one set.
void SumCounts(const std::vector<std::vector<int64_t>>& parts, int bins, std::vector<int64_t>& out) {
  out.assign(bins, 0);
  for (auto& p : parts)
    for (int c = 0; c < 4; ++c)
      for (int k = 0; k < bins; ++k) out[k] += p[c * bins + k];
}

template <Elem E>
void RunTyped(const uint8_t* data, const Job& job, Result& res, Shared& sh, int threads) {
  const int64_t N = job.view.size();
  std::vector<std::thread> pool;
  if (job.op == Op::Find) {
    const bool zeros = job.lo <= 0 && 0 <= job.hi;
    res.found = FindChunks(job, job.itemsize, zeros, sh,
                           [&](int64_t c0, int64_t c1) { return SearchValue<E>(data, job, c0, c1); });
  } else if (job.op == Op::Stats) {
    // shift: the first element (any finite value near the data keeps the sums of squares well conditioned)
    double shift = 0;
    if (!job.isInt && N > 0) {
      Walk<E>(data, job.view, 0, std::min<int64_t>(N, 64), job.swap, [&](double x, const uint8_t*) {
        if (shift == 0 && std::isfinite(x)) shift = x;
      });
    }
    std::vector<Acc> accs(threads);
    std::vector<std::vector<int64_t>> parts(job.bins ? threads : 0, std::vector<int64_t>(4 * job.bins, 0));
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        StatsRange<E>(data, job, shift, N * t / threads, N * (t + 1) / threads, accs[t],
                      job.bins ? parts[t].data() : nullptr, sh);
      });
    }
    for (auto& th : pool) th.join();
    if (job.bins) SumCounts(parts, job.bins, res.counts);
    Acc& r = res.acc;
    double s1 = 0, s2 = 0;
    for (auto& a : accs) {
      r.n += a.n, r.nan += a.nan, r.pinf += a.pinf, r.ninf += a.ninf;
      r.min = std::min(r.min, a.min), r.max = std::max(r.max, a.max);
      s1 += a.s1, s2 += a.s2;
      r.isum += a.isum;
      r.imin = std::min(r.imin, a.imin), r.imax = std::max(r.imax, a.imax);
      r.umin = std::min(r.umin, a.umin), r.umax = std::max(r.umax, a.umax);
    }
    r.s1 = s1 + shift * r.n;  // back to the plain sum (for floats)
    r.s2 = r.n ? std::max(0.0, (s2 - s1 * s1 / r.n) / r.n) : 0;
  } else if (job.op == Op::Histogram) {
    std::vector<std::vector<int64_t>> parts(threads, std::vector<int64_t>(4 * job.bins, 0));
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] { HistRange<E>(data, job, N * t / threads, N * (t + 1) / threads, parts[t], sh); });
    }
    for (auto& th : pool) th.join();
    SumCounts(parts, job.bins, res.counts);
  } else if (job.op == Op::Buckets) {
    res.a.assign(job.buckets, 0);
    res.b.assign(job.buckets, 0);
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        BucketRange<E>(data, job, job.buckets * t / threads, job.buckets * (t + 1) / threads, res.a, res.b, sh);
      });
    }
    for (auto& th : pool) th.join();
  } else {
    res.a.assign(job.outRows * job.outCols, 0);
    for (int t = 0; t < threads; ++t) {
      pool.emplace_back(
          [&, t] { BlockRange<E>(data, job, job.outRows * t / threads, job.outRows * (t + 1) / threads, res.a, sh); });
    }
    for (auto& th : pool) th.join();
  }
}

void Run(const uint8_t* data, const Job& job, Result& res, Shared& sh, int threads) {
  if (job.op == Op::Find && job.findBytes) {
    res.found = FindBytes(data, job, sh);
    return;
  }
  WithElem(job.elem, [&](auto e) { RunTyped<decltype(e)::value>(data, job, res, sh, threads); });
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  return std::string(s.rbegin(), s.rend());
}

class ScanWorker : public Napi::AsyncProgressWorker<int64_t> {
 public:
  ScanWorker(Napi::Env env, Napi::Object owner, const uint8_t* data, Job job, std::shared_ptr<Shared> sh,
             Napi::Function onProgress, std::function<void()> onDone)
      : Napi::AsyncProgressWorker<int64_t>(env), deferred_(Napi::Promise::Deferred::New(env)), data_(data),
        job_(std::move(job)), sh_(std::move(sh)), onDone_(std::move(onDone)) {
    owner_ = Napi::Persistent(owner);  // keeps the mapping alive (and mapped) while we scan
    if (!onProgress.IsEmpty()) progress_ = Napi::Persistent(onProgress);
  }
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute(const ExecutionProgress& progress) override {
    const int threads = std::max(1, std::min<int>(8, static_cast<int>(std::thread::hardware_concurrency())));
    // progress about every 50 ms; the wait ends as soon as the kernel does (short scans settle at once)
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
    std::thread runner([&] {
      try {
        Run(data_, job_, result_, *sh_, threads);
      } catch (...) {  // out of memory: an exception must not leave the thread (that would end the process)
        oom_ = true;
        sh_->cancel = true;
      }
      std::lock_guard<std::mutex> lock(mu);
      finished = true;
      cv.notify_one();
    });
    {
      std::unique_lock<std::mutex> lock(mu);
      while (!cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return finished; })) {
        int64_t d = sh_->done.load();
        progress.Send(&d, 1);
      }
    }
    runner.join();
  }

  void OnProgress(const int64_t* done, size_t) override {
    if (!progress_.IsEmpty()) progress_.Value().Call({Napi::Number::New(Env(), static_cast<double>(*done))});
  }

  void OnOK() override {
    Napi::Env env = Env();
    Settle();
    if (oom_) return Reject("ENOMEM", "not enough memory for this scan");
    if (sh_->fault) return Reject("ECHANGED", "file changed on disk: the file was truncated during the scan; reopen it");
    if (sh_->cancel) return Reject("ECANCELLED", "the scan was cancelled");
    Napi::Object out = Napi::Object::New(env);
    const Acc& a = result_.acc;
    if (job_.op == Op::Find) {
      out.Set("offset", result_.found >= 0 ? Napi::Value(Napi::Number::New(env, static_cast<double>(result_.found)))
                                           : env.Null());
    } else if (job_.op == Op::Stats) {
      out.Set("count", static_cast<double>(a.n + a.nan + a.pinf + a.ninf));
      out.Set("finite", static_cast<double>(a.n));
      out.Set("nan", static_cast<double>(a.nan));
      out.Set("posinf", static_cast<double>(a.pinf));
      out.Set("neginf", static_cast<double>(a.ninf));
      if (a.n) {
        out.Set("min", a.min);
        out.Set("max", a.max);
        if (job_.isInt) {
          out.Set("sum", Int128ToString(a.isum));
          out.Set("mean", static_cast<double>(static_cast<long double>(a.isum) / a.n));
          if (job_.isSigned64) {
            out.Set("minExact", std::to_string(a.imin));
            out.Set("maxExact", std::to_string(a.imax));
          } else if (job_.isUnsigned64) {
            out.Set("minExact", std::to_string(a.umin));
            out.Set("maxExact", std::to_string(a.umax));
          }
        } else {
          out.Set("mean", a.s1 / a.n);
        }
        out.Set("std", std::sqrt(a.s2));
      } else {
        out.Set("min", env.Null());
        out.Set("max", env.Null());
        out.Set("mean", env.Null());
        out.Set("std", env.Null());
      }
      if (job_.bins) SetHistogram(out);
    } else if (job_.op == Op::Histogram) {
      SetHistogram(out);
    } else {
      auto toArray = [&](const std::vector<double>& v) {
        Napi::Float64Array arr = Napi::Float64Array::New(env, v.size());
        std::copy(v.begin(), v.end(), arr.Data());
        return arr;
      };
      if (job_.op == Op::Buckets) {
        out.Set("min", toArray(result_.a));
        out.Set("max", toArray(result_.b));
      } else {
        out.Set("values", toArray(result_.a));
        out.Set("rows", static_cast<double>(job_.outRows));
        out.Set("cols", static_cast<double>(job_.outCols));
      }
    }
    deferred_.Resolve(out);
  }

  void OnError(const Napi::Error& e) override {
    Settle();
    deferred_.Reject(e.Value());
  }

 private:
  // {counts, edges} of the histogram (in a fused stats scan, as its 'histogram' member)
  void SetHistogram(Napi::Object out) {
    Napi::Env env = Env();
    Napi::Array counts = Napi::Array::New(env, result_.counts.size());
    for (size_t k = 0; k < result_.counts.size(); ++k) counts.Set(k, static_cast<double>(result_.counts[k]));
    Napi::Array edges = Napi::Array::New(env, job_.edges.size());
    for (size_t k = 0; k < job_.edges.size(); ++k) edges.Set(k, job_.edges[k]);
    Napi::Object target = out;
    if (job_.op == Op::Stats) {
      target = Napi::Object::New(env);
      out.Set("histogram", target);
    }
    target.Set("counts", counts);
    target.Set("edges", edges);
  }
  void Settle() {
    if (onDone_) onDone_();
    onDone_ = nullptr;
    owner_.Reset();
  }
  void Reject(const char* code, const std::string& message) {
    Napi::Error e = Napi::Error::New(Env(), message);
    e.Set("code", Napi::String::New(Env(), code));
    deferred_.Reject(e.Value());
  }
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference owner_;
  Napi::FunctionReference progress_;
  const uint8_t* data_;
  Job job_;
  std::shared_ptr<Shared> sh_;
  std::function<void()> onDone_;
  Result result_;
  bool oom_ = false;
};

int64_t GetInt(Napi::Env env, Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) ThrowCoded(env, "EINVAL", std::string("scan spec needs a number '") + key + "'");
  double d = v.As<Napi::Number>().DoubleValue();
  if (std::floor(d) != d) ThrowCoded(env, "EINVAL", std::string("scan spec '") + key + "' must be an integer");
  return static_cast<int64_t>(d);
}




// {op: 'find', from, to, backwards, alignBase?, alignStep?} plus either {pattern, mask} (Uint8Arrays of one
// length) or {elem, swap, lo, hi}.
void ParseFind(Napi::Env env, Napi::Object spec, Job& job, int64_t size, int holeFd) {
  job.size = size;
  job.holeFd = holeFd;
  job.from = GetInt(env, spec, "from");
  job.to = GetInt(env, spec, "to");
  job.backwards = spec.Get("backwards").ToBoolean().Value();
  if (spec.Has("alignStep") && !spec.Get("alignStep").IsUndefined()) {
    job.alignStep = GetInt(env, spec, "alignStep");
    job.alignBase = GetInt(env, spec, "alignBase");
  }
  if (job.from < 0 || job.to > size || job.from > job.to || job.alignStep < 1)
    ThrowCoded(env, "EINVAL", "find needs 0 <= from <= to <= size and alignStep >= 1");
  Napi::Value pat = spec.Get("pattern");
  if (pat.IsTypedArray()) {
    Napi::Value msk = spec.Get("mask");
    if (pat.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !msk.IsTypedArray() ||
        msk.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      ThrowCoded(env, "EINVAL", "find needs pattern and mask as Uint8Arrays");
    Napi::Uint8Array p = pat.As<Napi::Uint8Array>(), m = msk.As<Napi::Uint8Array>();
    if (p.ElementLength() != m.ElementLength() || p.ElementLength() < 1 || p.ElementLength() > 4096)
      ThrowCoded(env, "EINVAL", "find needs a pattern of 1 to 4096 bytes and a mask of the same length");
    job.findBytes = true;
    job.pattern.assign(p.Data(), p.Data() + p.ElementLength());
    job.mask.assign(m.Data(), m.Data() + m.ElementLength());
    for (size_t i = 0; i < job.pattern.size(); ++i) job.pattern[i] &= job.mask[i];
    return;
  }
  job.elem = ParseElem(env, spec.Get("elem").ToString().Utf8Value());
  job.swap = spec.Get("swap").ToBoolean().Value();
  job.itemsize = ItemSize(job.elem);
  job.lo = spec.Get("lo").ToNumber().DoubleValue();
  job.hi = spec.Get("hi").ToNumber().DoubleValue();
  if (std::isnan(job.lo) || std::isnan(job.hi) || job.lo > job.hi)
    ThrowCoded(env, "EINVAL", "find needs a value range lo <= hi");
}

Napi::Value Launch(Napi::Env env, Napi::Object owner, const uint8_t* data, Job job, std::shared_ptr<ScanState> shared,
                   Napi::Function onProgress, std::function<void()> onDone) {
  auto* worker = new ScanWorker(env, owner, data, std::move(job), shared, onProgress, std::move(onDone));
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("promise", worker->Promise());
  handle.Set("cancel", Napi::Function::New(env, [shared](const Napi::CallbackInfo& ci) {
               shared->cancel = true;
               return ci.Env().Undefined();
             }));
  worker->Queue();
  return handle;
}

#ifdef ARRAYSCOPE_AVX512
#pragma GCC diagnostic pop
#endif

}  // namespace

Napi::Value StartScan(const Napi::CallbackInfo& info, const uint8_t* data, int64_t size, int holeFd, Napi::Object owner,
                      std::shared_ptr<ScanState> shared, std::function<void()> onDone) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowCoded(env, "EINVAL", "scan needs a spec object");
  Napi::Object spec = info[0].As<Napi::Object>();
  Job job;
  const std::string op = spec.Get("op").ToString().Utf8Value();
  job.op = op == "stats" ? Op::Stats : op == "histogram" ? Op::Histogram : op == "buckets" ? Op::Buckets : op == "blocks" ? Op::Blocks : op == "find" ? Op::Find : static_cast<Op>(-1);
  if (static_cast<int>(job.op) < 0) ThrowCoded(env, "EINVAL", "scan op must be stats, histogram, buckets, blocks or find");
  Napi::Function onProgress = info.Length() > 1 && info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();
  if (job.op == Op::Find) {
    ParseFind(env, spec, job, size, holeFd);
    return Launch(env, owner, data, std::move(job), shared, onProgress, std::move(onDone));
  }
  const std::string elem = spec.Get("elem").ToString().Utf8Value();
  job.elem = ParseElem(env, elem);
  job.swap = spec.Get("swap").ToBoolean().Value();
  job.isInt = elem[0] == 'i' || elem[0] == 'u' || elem[0] == 'b';
  job.isSigned64 = elem == "i8";
  job.isUnsigned64 = elem == "u8";
  job.view.base = GetInt(env, spec, "base");
  Napi::Value shapeV = spec.Get("shape"), stridesV = spec.Get("strides");
  if (!shapeV.IsArray() || !stridesV.IsArray()) ThrowCoded(env, "EINVAL", "scan spec needs shape and strides arrays");
  Napi::Array shape = shapeV.As<Napi::Array>(), strides = stridesV.As<Napi::Array>();
  if (shape.Length() != strides.Length()) ThrowCoded(env, "EINVAL", "shape and strides differ in length");
  const int itemsize = ItemSize(job.elem);
  int64_t lo = job.view.base, hi = job.view.base;
  bool empty = false;
  for (uint32_t k = 0; k < shape.Length(); ++k) {
    int64_t n = static_cast<int64_t>(shape.Get(k).As<Napi::Number>().DoubleValue());
    int64_t s = static_cast<int64_t>(strides.Get(k).As<Napi::Number>().DoubleValue());
    if (n < 0) ThrowCoded(env, "EINVAL", "negative shape");
    if (n == 0) empty = true;
    job.view.shape.push_back(n);
    job.view.strides.push_back(s);
    if (n > 0) (s < 0 ? lo : hi) += (n - 1) * s;
  }
  if (!empty && (lo < 0 || hi + itemsize > size)) ThrowCoded(env, "ERANGE", "scan view is outside the mapping");
  const int64_t N = empty ? 0 : job.view.size();
  if (empty) job.view.shape.assign(job.view.shape.size(), 0);
  const bool fused = job.op == Op::Stats && spec.Has("bins") && !spec.Get("bins").IsUndefined();
  if (job.op == Op::Histogram || fused) {
    job.bins = static_cast<int>(GetInt(env, spec, "bins"));
    job.lo = spec.Get("lo").As<Napi::Number>().DoubleValue();
    job.hi = spec.Get("hi").As<Napi::Number>().DoubleValue();
    if (job.bins < 1 || !(job.hi > job.lo) || !std::isfinite(job.lo) || !std::isfinite(job.hi))
      ThrowCoded(env, "EINVAL", "histogram needs bins >= 1 and a finite range lo < hi");
    const double step = (job.hi - job.lo) / job.bins;
    for (int k = 0; k <= job.bins; ++k) job.edges.push_back(job.lo + k * step);
    job.edges[job.bins] = job.hi;
  } else if (job.op == Op::Buckets) {
    job.start = GetInt(env, spec, "start");
    job.stop = GetInt(env, spec, "stop");
    job.buckets = GetInt(env, spec, "buckets");
    if (job.view.shape.size() != 1) ThrowCoded(env, "EINVAL", "buckets need a 1-D view");
    if (job.start < 0 || job.stop > N || job.start > job.stop || job.buckets < 1)
      ThrowCoded(env, "EINVAL", "buckets need 0 <= start <= stop <= size and buckets >= 1");
    job.buckets = std::min(job.buckets, std::max<int64_t>(1, job.stop - job.start));
  } else if (job.op == Op::Blocks) {
    if (job.view.shape.size() != 2) ThrowCoded(env, "EINVAL", "blocks need a 2-D view");
    job.outRows = std::max<int64_t>(1, std::min(GetInt(env, spec, "outRows"), job.view.shape[0]));
    job.outCols = std::max<int64_t>(1, std::min(GetInt(env, spec, "outCols"), job.view.shape[1]));
    job.blockMax = spec.Get("reduce").ToString().Utf8Value() == "max";
    if (N == 0) ThrowCoded(env, "EINVAL", "blocks need a non-empty view");
  }
  return Launch(env, owner, data, std::move(job), shared, onProgress, std::move(onDone));
}

}  // namespace arrayscope
