// Diff: two views of the same shape compared element by element as numpy.isclose compares them, streamed from
// two mappings in A's file order, with what numpy.testing.assert_allclose reports (mismatch count, the
// largest absolute and relative differences among the violations) plus the first mismatches in C order,
// NaN/±Inf disagreements counted apart, a histogram of |a - b| by binary exponent and a block map of the
// mismatches.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "joint.h"
#include "scan_ops.h"

namespace arrayscope {
namespace {

// numpy's float types, in which isclose computes.
enum class FT { kF2, kF4, kF8 };

// result_type(y, 1.0): the float type y is compared in (integers and bool: float64; bfloat16 and float8,
// which numpy has no arithmetic for, as float32).
FT YType(Elem e) {
  switch (e) {
    case Elem::F2:
      return FT::kF2;
    case Elem::F4:
    case Elem::BF16:
    case Elem::E4M3:
    case Elem::E5M2:
      return FT::kF4;
    default:
      return FT::kF8;
  }
}

// The smallest float type that holds every value of x's type (numpy's promotion of x with a float).
FT XType(Elem e) {
  switch (e) {
    case Elem::B1:
    case Elem::I1:
    case Elem::U1:
    case Elem::F2:
      return FT::kF2;
    case Elem::I2:
    case Elem::U2:
    case Elem::F4:
    case Elem::BF16:
    case Elem::E4M3:
    case Elem::E5M2:
      return FT::kF4;
    default:
      return FT::kF8;
  }
}

// x rounded to the nearest float16 (ties to even), overflowing to ±inf past 65520.
inline double RoundHalf(double x) {
  if (x == 0 || !std::isfinite(x)) return x;
  const int e = std::ilogb(x);
  const double quantum = std::ldexp(1.0, std::max(e, -14) - 10);
  const double r = std::nearbyint(x / quantum) * quantum;
  return std::fabs(r) >= 65520.0 ? std::copysign(HUGE_VAL, x) : r;
}

template <FT T>
inline double Round(double x) {
  if constexpr (T == FT::kF8)
    return x;
  else if constexpr (T == FT::kF4)
    return static_cast<double>(static_cast<float>(x));
  else
    return RoundHalf(x);
}

// A float's position among the values of type T (ordered: the next representable value is one more), for
// the ULP distance. x must be representable in T.
template <FT T>
inline __int128 Ordinal(double x) {
  if constexpr (T == FT::kF8) {
    int64_t bits;
    std::memcpy(&bits, &x, 8);
    return bits < 0 ? -static_cast<__int128>(bits & INT64_MAX) : static_cast<__int128>(bits);
  } else if constexpr (T == FT::kF4) {
    const float f = static_cast<float>(x);
    int32_t bits;
    std::memcpy(&bits, &f, 4);
    return bits < 0 ? -static_cast<__int128>(bits & INT32_MAX) : static_cast<__int128>(bits);
  } else {
    // float16: (exponent field) * 1024 + mantissa, from the value itself
    const double ax = std::fabs(x);
    int64_t mag;
    if (std::isinf(ax)) {
      mag = 0x7c00;
    } else if (ax < 0x1p-14) {
      mag = static_cast<int64_t>(ax * 0x1p24);  // subnormals: multiples of 2^-24
    } else {
      const int e = std::ilogb(ax);
      mag = (e + 15) * 1024 + static_cast<int64_t>((ax / std::ldexp(1.0, e) - 1.0) * 1024.0);
    }
    return std::signbit(x) ? -static_cast<__int128>(mag) : static_cast<__int128>(mag);
  }
}

// The ULP distance of a and b in A's float type U (b rounded to it first; NaN when either is NaN).
template <FT U>
inline double UlpDistance(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return NAN;
  const __int128 d = Ordinal<U>(Round<U>(a)) - Ordinal<U>(Round<U>(b));
  return static_cast<double>(d < 0 ? -d : d);
}

// What one thread gathers.
struct DiffAcc {
  int64_t total = 0, mismatched = 0, nanMismatched = 0, infMismatched = 0, equal = 0, nonFinite = 0;
  bool absNan = false, relAny = false, relNan = false;
  double maxAbs = -1, maxRel = -1;
  int64_t maxAbsAt = -1, maxRelAt = -1;
  std::vector<int64_t> heap;  // the smallest C indices of mismatches so far (a max-heap), capacity reserved
  std::vector<int64_t> diffExp, map;
  std::vector<double> mapAbs, mapSum,
      mapUlp;                      // with mapValues: per block max |a-b|, sum a-b, max ULP distance
  std::vector<int64_t> mapN;       // finite pairs per block
  std::vector<double> bufA, bufB;  // decoded values of a block of pairs
  std::vector<float> floats;       // a quantized side's values before they widen
  QuantScratch qa, qb;
};

constexpr int64_t kBlock = 1024;

// Updates a running maximum (value, index) where a NaN wins and, among equals, the smaller index.
inline void KeepMax(double v, int64_t at, bool& nan, double& max, int64_t& maxAt) {
  if (std::isnan(v)) {
    if (!nan || at < maxAt) maxAt = at;
    nan = true;
    return;
  }
  if (nan) return;
  if (v > max || (v == max && at < maxAt)) max = v, maxAt = at;
}

template <FT C, FT TY, FT U>
void CompareBlock(const DiffSpec& s, const double* a, const double* b, int64_t n, int64_t at, int64_t step,
                  int64_t mapCols, int64_t rowLen, int64_t rows, DiffAcc& acc) {
  const double atol = Round<TY>(s.atol), rtol = Round<TY>(s.rtol);
  for (int64_t i = 0; i < n; ++i) {
    const double av = a[i], bv = b[i];
    const double y = Round<TY>(bv), x = Round<C>(av);
    const double d = Round<C>(std::fabs(x - y));
    const double tol = Round<TY>(atol + Round<TY>(rtol * std::fabs(y)));
    const bool close =
        (d <= tol && std::isfinite(y)) || x == y || (s.equalNan && std::isnan(x) && std::isnan(y));
    const double e = std::fabs(av - bv);  // the reported figures are float64
    if (e == 0 || (std::isnan(av) && std::isnan(bv))) {
      ++acc.equal;
    } else if (!std::isfinite(e)) {
      ++acc.nonFinite;
    } else {
      const int ex = e < 0x1p-1022 ? kDiffExpMin : std::ilogb(e);
      ++acc.diffExp[ex - kDiffExpMin];
    }
    if (s.mapValues) {
      const int64_t ix = at + i * step;
      const size_t blk =
          static_cast<size_t>((ix / rowLen * s.mapRows / rows) * mapCols + (ix % rowLen) * mapCols / rowLen);
      const double dd = av - bv;
      if (std::isfinite(dd)) {
        acc.mapAbs[blk] = std::max(acc.mapAbs[blk], std::fabs(dd));
        acc.mapSum[blk] += dd;
        ++acc.mapN[blk];
        acc.mapUlp[blk] = std::max(acc.mapUlp[blk], UlpDistance<U>(av, bv));
      }
    }
    if (close) continue;
    const int64_t idx = at + i * step;
    ++acc.mismatched;
    if (std::isnan(av) || std::isnan(bv))
      ++acc.nanMismatched;
    else if (std::isinf(av) || std::isinf(bv))
      ++acc.infMismatched;
    KeepMax(e, idx, acc.absNan, acc.maxAbs, acc.maxAbsAt);
    if (bv != 0) {  // NaN != 0: numpy keeps it (and the figure becomes NaN)
      acc.relAny = true;
      KeepMax(e / std::fabs(bv), idx, acc.relNan, acc.maxRel, acc.maxRelAt);
    }
    if (acc.heap.capacity() > 0 && idx > s.after && idx < s.before) {
      const int64_t key = s.last ? -idx : idx;  // the heap's top is the one to give up first
      if (acc.heap.size() < acc.heap.capacity()) {
        acc.heap.push_back(key);
        std::push_heap(acc.heap.begin(), acc.heap.end());
      } else if (key < acc.heap.front()) {
        std::pop_heap(acc.heap.begin(), acc.heap.end());
        acc.heap.back() = key;
        std::push_heap(acc.heap.begin(), acc.heap.end());
      }
    }
    if (!acc.map.empty()) {
      const int64_t r = idx / rowLen, c = idx % rowLen;
      ++acc.map[(r * s.mapRows / rows) * mapCols + c * mapCols / rowLen];
    }
  }
}

using CompareFn = void (*)(const DiffSpec&, const double*, const double*, int64_t, int64_t, int64_t, int64_t,
                           int64_t, int64_t, DiffAcc&);

template <FT C, FT TY>
CompareFn PickUlp(FT u) {
  return u == FT::kF8   ? CompareBlock<C, TY, FT::kF8>
         : u == FT::kF4 ? CompareBlock<C, TY, FT::kF4>
                        : CompareBlock<C, TY, FT::kF2>;
}

// c: the type np.isclose computes in; ty: B's; u: the type ULP distances count in (A's).
CompareFn PickCompare(FT c, FT ty, FT u) {
  // ty <= c always (c is x's type promoted with ty)
  if (c == FT::kF8) {
    return ty == FT::kF8   ? PickUlp<FT::kF8, FT::kF8>(u)
           : ty == FT::kF4 ? PickUlp<FT::kF8, FT::kF4>(u)
                           : PickUlp<FT::kF8, FT::kF2>(u);
  }
  if (c == FT::kF4) return ty == FT::kF4 ? PickUlp<FT::kF4, FT::kF4>(u) : PickUlp<FT::kF4, FT::kF2>(u);
  return PickUlp<FT::kF2, FT::kF2>(u);
}

template <Elem E>
void DecodeRun(const uint8_t* p, int64_t n, int64_t stride, bool swap, double* out) {
  for (int64_t i = 0; i < n; ++i, p += stride) out[i] = Decode<E>(p, swap);
}

// n values of one side from byte offset off (a quantized side: virtual offsets, decoded from its blocks).
void DecodeSide(const TypedView& tv, const uint8_t* data, int64_t off, int64_t n, int64_t stride,
                QuantScratch& qs, float* floats, double* out) {
  if (tv.quantized) {
    DecodeQuantRun(data, tv.q, off / 4, n, stride / 4, qs, floats);
    for (int64_t i = 0; i < n; ++i) out[i] = floats[i];
    return;
  }
  if (tv.scaled) {
    // the values into out's bytes (at most 8 each), then widened in place from the last (never overtaking)
    uint8_t* bytes = reinterpret_cast<uint8_t*>(out);
    ScaleRun(data + off, n, stride, tv.sc, bytes);
    const int64_t size = ItemSize(tv.elem);
    WithElem(tv.elem, [&](auto t) {
      for (int64_t i = n; i-- > 0;) out[i] = Decode<decltype(t)::value>(bytes + i * size, false);
    });
    return;
  }
  WithElem(tv.elem, [&](auto t) { DecodeRun<decltype(t)::value>(data + off, n, stride, tv.swap, out); });
}

bool IsInteger(Elem e) {
  return e != Elem::F2 && e != Elem::F4 && e != Elem::F8 && e != Elem::BF16 && e != Elem::E4M3 &&
         e != Elem::E5M2;
}

}  // namespace

DiffResult RunDiff(const MapInfo& map, ScanState& state, const DiffSpec& spec, int threads) {
  const JointView j = JointFileOrder(MakeJoint(spec.a.view, spec.b.view));
  const int64_t n = j.size();
  const int64_t ia = ReadSize(spec.a), ib = ReadSize(spec.b);
  const FT ty = YType(spec.b.elem);
  const FT c = std::max(XType(spec.a.elem), ty);
  // ULP distances count in A's own float type (integers: float64, where one ULP below 2^53 is 1)
  const FT u = IsInteger(spec.a.elem) ? FT::kF8 : YType(spec.a.elem);
  const CompareFn compare = PickCompare(c, ty, u);
  // identical bytes are close when the types are the same and NaN equals NaN (or there is no NaN)
  const bool bytewise = !spec.a.quantized && !spec.b.quantized && !spec.a.scaled && !spec.b.scaled &&
                        spec.a.elem == spec.b.elem && spec.a.swap == spec.b.swap &&
                        (spec.equalNan || IsInteger(spec.a.elem));
  const bool exactBytes = !spec.a.quantized && !spec.b.quantized && !spec.a.scaled && !spec.b.scaled &&
                          spec.a.elem == Elem::U1 && spec.b.elem == Elem::U1 && spec.rtol == 0 &&
                          spec.atol == 0;
  const auto& shape = spec.a.view.shape;
  const int64_t rowLen = shape.empty() ? 1 : std::max<int64_t>(1, shape.back());
  const int64_t rows = std::max<int64_t>(1, n / rowLen);
  const int64_t mapCols = spec.mapRows > 0 ? std::min(spec.mapCols, rowLen) : 0;

  std::vector<DiffAcc> accs(threads);
  for (DiffAcc& a : accs) {
    a.heap.reserve(static_cast<size_t>(spec.first));
    a.diffExp.assign(kDiffExpBins, 0);
    const size_t blocks = static_cast<size_t>(mapCols > 0 ? std::min(spec.mapRows, rows) * mapCols : 0);
    a.map.assign(blocks, 0);
    if (spec.mapValues) {
      a.mapAbs.assign(blocks, -1);
      a.mapSum.assign(blocks, 0);
      a.mapUlp.assign(blocks, -1);
      a.mapN.assign(blocks, 0);
    }
    a.bufA.resize(kBlock);
    a.bufB.resize(kBlock);
    a.floats.resize(kBlock);
  }
  DiffSpec s = spec;
  s.mapRows = std::min(spec.mapRows, rows);

  const int64_t chunk = ChunkElems(n, std::max(ia, ib));
  PassPlan plan;
  plan.threads = threads;
  plan.chunks = n == 0 ? 0 : (n + chunk - 1) / chunk;
  // Each side's readahead: the joint walk's chunk k as that side's byte ranges (a quantized side: its
  // blocks).
  auto side = [&](const TypedView& tv, int p, int64_t item) {
    TypedView walked = tv;
    walked.view = j.Part(p);
    PassSource src{{}, nullptr, ElementPlan(tv, 1, 1).needEnd};
    src.ranges = [walked, item, chunk, n](int64_t k, std::vector<ByteRange>& out) {
      const int64_t i0 = k * chunk, i1 = std::min(n, (k + 1) * chunk);
      if (walked.quantized) return QuantChunkRanges(walked.q, walked.view, i0, i1, out);
      ChunkRanges(walked.view, item, i0, i1, out);
    };
    return src;
  };
  if (n > 0) {
    PassSource a = side(spec.a, 0, ia);
    plan.needEnd = a.needEnd;
    plan.ranges = a.ranges;
    PassSource b = side(spec.b, 1, ib);
    b.map = spec.bMap;
    plan.more.push_back(b);
  }
  const uint8_t* da = map.data;
  const uint8_t* db = spec.bMap.data;
  RunPass(map, state, plan, [&](int64_t k, int t) {
    DiffAcc& acc = accs[t];
    const int64_t i0 = k * chunk, i1 = std::min(n, i0 + chunk);
    ForEachJointRun(
        j, i0, i1, [&](int64_t oa, int64_t ob, int64_t at, int64_t len, int64_t sa, int64_t sb, int64_t si) {
          acc.total += len;
          if (bytewise && sa == ia && sb == ib &&
              std::memcmp(da + oa, db + ob, static_cast<size_t>(len * ia)) == 0) {
            acc.equal += len;
            return;
          }
          // bytes compared exactly (the byte mode): 8 at a time, the few words that differ the usual way
          const int64_t block = exactBytes && sa == 1 && sb == 1 ? 8 : kBlock;
          for (int64_t b0 = 0; b0 < len; b0 += block) {
            const int64_t m = std::min(block, len - b0);
            if (block == 8 && m == 8) {
              uint64_t x, y;
              std::memcpy(&x, da + oa + b0, 8);
              std::memcpy(&y, db + ob + b0, 8);
              if (x == y) {
                acc.equal += 8;
                continue;
              }
            }
            DecodeSide(spec.a, da, oa + b0 * sa, m, sa, acc.qa, acc.floats.data(), acc.bufA.data());
            DecodeSide(spec.b, db, ob + b0 * sb, m, sb, acc.qb, acc.floats.data(), acc.bufB.data());
            compare(s, acc.bufA.data(), acc.bufB.data(), m, at + b0 * si, si, mapCols, rowLen, rows, acc);
          }
        });
    state.done.fetch_add(i1 - i0, std::memory_order_relaxed);
    return true;
  });

  DiffResult r;
  r.diffExp.assign(kDiffExpBins, 0);
  if (mapCols > 0) {
    r.map.assign(static_cast<size_t>(s.mapRows * mapCols), 0);
    r.mapRows = s.mapRows;
    r.mapCols = mapCols;
  }
  std::vector<int64_t> mapN;
  if (spec.mapValues && mapCols > 0) {
    const size_t blocks = r.map.size();
    r.mapAbs.assign(blocks, -1);
    r.mapUlp.assign(blocks, -1);
    r.mapMean.assign(blocks, 0);
    mapN.assign(blocks, 0);
  }
  bool absNan = false, relNan = false, relAny = false;
  double maxAbs = -1, maxRel = -1;
  std::vector<int64_t> firsts;
  for (DiffAcc& a : accs) {
    r.total += a.total, r.mismatched += a.mismatched, r.nanMismatched += a.nanMismatched;
    r.infMismatched += a.infMismatched, r.equal += a.equal, r.nonFinite += a.nonFinite;
    if (a.absNan)
      KeepMax(NAN, a.maxAbsAt, absNan, maxAbs, r.maxAbsAt);
    else if (a.maxAbsAt >= 0)
      KeepMax(a.maxAbs, a.maxAbsAt, absNan, maxAbs, r.maxAbsAt);
    relAny = relAny || a.relAny;
    if (a.relNan)
      KeepMax(NAN, a.maxRelAt, relNan, maxRel, r.maxRelAt);
    else if (a.maxRelAt >= 0)
      KeepMax(a.maxRel, a.maxRelAt, relNan, maxRel, r.maxRelAt);
    for (int k = 0; k < kDiffExpBins; ++k) r.diffExp[k] += a.diffExp[k];
    for (size_t k = 0; k < a.map.size(); ++k) r.map[k] += a.map[k];
    for (size_t k = 0; k < a.mapN.size(); ++k) {
      r.mapAbs[k] = std::max(r.mapAbs[k], a.mapAbs[k]);
      r.mapUlp[k] = std::max(r.mapUlp[k], a.mapUlp[k]);
      r.mapMean[k] += a.mapSum[k];
      mapN[k] += a.mapN[k];
    }
    firsts.insert(firsts.end(), a.heap.begin(), a.heap.end());
  }
  for (size_t k = 0; k < mapN.size(); ++k) {
    const bool none = mapN[k] == 0;
    r.mapMean[k] = none ? NAN : r.mapMean[k] / mapN[k];
    if (none) r.mapAbs[k] = r.mapUlp[k] = NAN;
  }
  // the heaps hold -index when keeping the last ones
  if (spec.last)
    for (int64_t& f : firsts) f = -f;
  std::sort(firsts.begin(), firsts.end());
  if (static_cast<int64_t>(firsts.size()) > spec.first) {
    if (spec.last)
      firsts.erase(firsts.begin(), firsts.end() - spec.first);
    else
      firsts.resize(static_cast<size_t>(spec.first));
  }
  r.first = std::move(firsts);
  r.maxAbs = absNan ? NAN : maxAbs;
  // numpy: the relative figure is inf when every violating b is 0
  r.maxRel = relNan ? NAN : relAny ? maxRel : HUGE_VAL;
  return r;
}

}  // namespace arrayscope
