// The AVX-512 kernels: float32 statistics, min/max and histograms, 16 or 32 values per step. Only this file
// holds intrinsics, so the diagnostic pragma below covers them and nothing else.
#include "kernels_avx512.h"

#ifdef ARRAYSCOPE_HAVE_AVX512
#include <immintrin.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace arrayscope {

// GCC 12 warns about the intrinsics' own _mm512_undefined_* placeholders under -Wall -O3 (a false positive)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

#define ARRAYSCOPE_AVX512_FN __attribute__((target("avx512f,avx512dq")))

// How far ahead of the loads the streaming kernels prefetch (a prefetch past the run's end is harmless: it
// does not fault).
constexpr int64_t kAhead = 8192;

struct Stats512 {
  __m512 lo, hi;
  __m512d a1[4], a2[4];
  int64_t finite = 0;
};

// One step of 16 values into accumulator pair h (0 or 1; two pairs keep the adds independent).
ARRAYSCOPE_AVX512_FN inline __attribute__((always_inline)) void Step512(Stats512& st, __m512 x, __m512d sh,
                                                                        int h) {
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
ARRAYSCOPE_AVX512_FN void StatsF4Avx512(const float* p, int64_t n, double shift, Moments& m) {
  const __m512d sh = _mm512_set1_pd(shift);
  Stats512 st;
  st.lo = _mm512_set1_ps(HUGE_VALF);
  st.hi = _mm512_set1_ps(-HUGE_VALF);
  for (int k = 0; k < 4; ++k) st.a1[k] = st.a2[k] = _mm512_setzero_pd();
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    // 8 KiB ahead: the adds and converts keep the core too busy for the hardware prefetcher to run far enough
    _mm_prefetch(reinterpret_cast<const char*>(p + i) + kAhead, _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(p + i) + kAhead + 64, _MM_HINT_T0);
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
  m.s1 += _mm512_reduce_add_pd(t1);
  m.s2 += _mm512_reduce_add_pd(t2);
  m.min = std::min<double>(m.min, _mm512_reduce_min_ps(st.lo));
  m.max = std::max<double>(m.max, _mm512_reduce_max_ps(st.hi));
  m.finite += st.finite;
  if (st.finite != n) {
    for (int64_t k = 0; k < n; ++k) {
      const float x = p[k];
      if (std::isnan(x))
        ++m.nan;
      else if (std::isinf(x))
        (x > 0 ? ++m.pinf : ++m.ninf);
    }
  }
}

ARRAYSCOPE_AVX512_FN void BlocksF4Avx512(const float* p, int64_t rowStride, int64_t rows,
                                         const int64_t* colStart, int64_t blocks, Moments* out) {
  for (int64_t j = 0; j < blocks; ++j) {
    const int64_t c0 = colStart[j], w = colStart[j + 1] - c0;
    __m512 lo = _mm512_set1_ps(HUGE_VALF), hi = _mm512_set1_ps(-HUGE_VALF);
    __m512d s[2] = {_mm512_setzero_pd(), _mm512_setzero_pd()};
    int64_t finite = 0;
    const float* q = p + c0;
    for (int64_t r = 0; r < rows; ++r, q += rowStride) {
      for (int64_t c = 0; c < w; c += 16) {
        const __mmask16 lanes = static_cast<__mmask16>(w - c >= 16 ? 0xffff : (1u << (w - c)) - 1);
        const __m512 x = _mm512_maskz_loadu_ps(lanes, q + c);
        const __mmask16 fin = static_cast<__mmask16>(lanes & ~_mm512_fpclass_ps_mask(x, 0x99));
        lo = _mm512_mask_min_ps(lo, fin, lo, x);
        hi = _mm512_mask_max_ps(hi, fin, hi, x);
        s[0] = _mm512_mask_add_pd(s[0], static_cast<__mmask8>(fin), s[0],
                                  _mm512_cvtps_pd(_mm512_castps512_ps256(x)));
        s[1] = _mm512_mask_add_pd(
            s[1], static_cast<__mmask8>(fin >> 8), s[1],
            _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1))));
        finite += __builtin_popcount(fin);
      }
    }
    Moments& m = out[j];
    m.finite += finite;
    m.s1 += _mm512_reduce_add_pd(_mm512_add_pd(s[0], s[1]));
    if (finite) {
      m.min = std::min<double>(m.min, _mm512_reduce_min_ps(lo));
      m.max = std::max<double>(m.max, _mm512_reduce_max_ps(hi));
    }
    if (finite != rows * w) {
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < w; ++c) {
          const float x = p[r * rowStride + c0 + c];
          if (std::isnan(x))
            ++m.nan;
          else if (std::isinf(x))
            (x > 0 ? ++m.pinf : ++m.ninf);
        }
      }
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

// Eight float64 lanes: in-range lanes whose bin estimate is far (> 1e-9 bin) from an edge are counted at
// once; the few near an edge take ExactBin.
ARRAYSCOPE_AVX512_FN inline __attribute__((always_inline)) void Hist8(const HistParams& h, __m512d x) {
  const __m512d lo = _mm512_set1_pd(h.lo);
  const __mmask8 in =
      _mm512_cmp_pd_mask(x, lo, _CMP_GE_OQ) & _mm512_cmp_pd_mask(x, _mm512_set1_pd(h.hi), _CMP_LE_OQ);
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
// [0, bins) and at least floatEps from a bin boundary; the rest — near an edge, below lo or above hi (t < 0
// or t >= bins), NaN and ±Inf (cvtt gives INT_MIN) — take the exact path with its range check.
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

// At most 256 bins (h.floatEps > 0): the vector loop only writes each value's bin as a byte to a small
// buffer, and a separate scalar loop counts the bytes eight at a time into 4 tables — two simple loops
// pipeline better than one that mixes them. Lanes off the fast path (near an edge, out of range, NaN) are
// counted exactly at once and written as bin 0, which is taken back from bin 0's count at the end.
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
    // the next blocks' lines asked for while the scalar loop counts (it reads no values: without this, the
    // vector loop waits for memory at each block's start)
    const char* ahead = reinterpret_cast<const char*>(p + i + m);
    for (int64_t k = 0; k < m; k += 8) {
      // one line of the next block every other step (a burst of them would wait for the line-fill buffers)
      if ((k & 15) == 0) _mm_prefetch(ahead + k * 4, _MM_HINT_T0);
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

#pragma GCC diagnostic pop

}  // namespace arrayscope
#endif
