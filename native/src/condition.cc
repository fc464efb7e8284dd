// Find by condition: the next (or previous) element of a view, in flat C order (the table's order), that is
// NaN, ±Inf, greater or less than a value, equal to it, or larger in magnitude. The index range is cut into
// chunks in search order that every thread takes in turn (see pass.h); each chunk records its first and last
// match, and the answer is the match of the earliest chunk in search order that has one, as in find.cc, so it
// is the same whatever the number of threads. Quantized tensors are searched by their dequantized values.
#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <tuple>
#include <type_traits>

#include "scan_ops.h"

namespace arrayscope {
namespace {

inline bool Meets(Condition c, double v, double x) {
  switch (c) {
    case Condition::kNan:
      return std::isnan(x);
    case Condition::kInf:
      return std::isinf(x);
    case Condition::kGreater:
      return x > v;
    case Condition::kLess:
      return x < v;
    case Condition::kEqual:
      return x == v;
    case Condition::kAbsGreater:
      return std::fabs(x) > v;
  }
  return false;
}

// The first and last index in [0, n) of the elements of one run that meet the condition (-1: none). A
// contiguous run of native float32 or float64 is tested 64 elements at a time, the comparisons OR-ed together
// (the compiler vectorizes them), and only a block with a match is looked at element by element: a warm
// 4 GiB float32 with no match took 1.1 s one element at a time.
template <typename T, typename P>
void BlockFirstLast(const T* x, int64_t n, P meets, int64_t& first, int64_t& last) {
  constexpr int64_t kBlock = 64;
  int64_t i = 0, lastBlock = -1;
  for (; i + kBlock <= n; i += kBlock) {
    unsigned any = 0;  // not bool: an OR of unsigned comparisons is what the compiler vectorizes
    for (int64_t k = 0; k < kBlock; ++k) any |= static_cast<unsigned>(meets(x[i + k]));
    if (!any) continue;
    if (first < 0) {
      for (int64_t k = 0; k < kBlock && first < 0; ++k) first = meets(x[i + k]) ? i + k : -1;
    }
    lastBlock = i;
  }
  for (; i < n; ++i) {
    if (!meets(x[i])) continue;
    if (first < 0) first = i;
    last = i;
  }
  for (int64_t k = kBlock - 1; last < 0 && lastBlock >= 0 && k >= 0; --k)
    last = meets(x[lastBlock + k]) ? lastBlock + k : -1;
}

template <Elem E>
void RunFirstLast(const uint8_t* p, int64_t n, int64_t stride, bool swap, const ConditionSpec& spec,
                  int64_t& first, int64_t& last) {
  first = last = -1;
  constexpr bool kFloat = E == Elem::F4 || E == Elem::F8;
  if constexpr (kFloat) {
    using T = std::conditional_t<E == Elem::F4, float, double>;
    if (!swap && stride == static_cast<int64_t>(sizeof(T)) &&
        reinterpret_cast<uintptr_t>(p) % alignof(T) == 0) {
      const T* x = reinterpret_cast<const T*>(p);
      // The threshold in the array's own type, so that the comparisons stay in its lanes: for a float x,
      // x > v exactly when x > the largest float not above v, x < v when x < the least float not below v.
      const double v = spec.value;
      constexpr T kMax = std::numeric_limits<T>::max(), kInf = std::numeric_limits<T>::infinity();
      const T near = v > kMax ? kInf : v < -kMax ? -kInf : static_cast<T>(v);  // beyond the type: ±inf
      const T below = static_cast<double>(near) > v ? std::nextafter(near, -kInf) : near;
      const T above = static_cast<double>(near) < v ? std::nextafter(near, kInf) : near;
      switch (spec.cond) {
        case Condition::kNan:
          return BlockFirstLast(x, n, [](T y) { return y != y; }, first, last);
        case Condition::kInf:
          return BlockFirstLast(
              x, n, [](T y) { return std::fabs(y) == std::numeric_limits<T>::infinity(); }, first, last);
        case Condition::kGreater:
          return BlockFirstLast(x, n, [below](T y) { return y > below; }, first, last);
        case Condition::kLess:
          return BlockFirstLast(x, n, [above](T y) { return y < above; }, first, last);
        case Condition::kEqual:
          if (static_cast<double>(near) != v) return;  // no element of this type equals v
          return BlockFirstLast(x, n, [near](T y) { return y == near; }, first, last);
        case Condition::kAbsGreater:
          return BlockFirstLast(x, n, [below](T y) { return std::fabs(y) > below; }, first, last);
      }
    }
  }
  for (int64_t j = 0; j < n; ++j, p += stride) {
    if (!Meets(spec.cond, spec.value, Decode<E>(p, swap))) continue;
    if (first < 0) first = j;
    last = j;
  }
}

// Whether a condition can hold for any value of an integer or bool type (NaN and Inf cannot).
bool Possible(const ConditionSpec& spec) {
  const Elem e = spec.v.elem;
  const bool exact = e == Elem::B1 || e == Elem::I1 || e == Elem::U1 || e == Elem::I2 || e == Elem::U2 ||
                     e == Elem::I4 || e == Elem::U4 || e == Elem::I8 || e == Elem::U8;
  return !(exact && (spec.cond == Condition::kNan || spec.cond == Condition::kInf));
}

// Calls match(i) with the flat index in [i0, i1) of every element that meets the condition, or, where
// whole(p, n) says the run of n elements from flat index p has its C indices in order and all in the searched
// range, with the first and the last match of that run only (the least and greatest C index among them).
template <Elem E, typename W, typename F>
void ForEachMatch(const uint8_t* data, const TypedView& tv, const ConditionSpec& spec, int64_t i0, int64_t i1,
                  W&& whole, F&& match) {
  int64_t i = i0;
  ForEachRun(data, tv.view, i0, i1, [&](const uint8_t* p, int64_t n, int64_t stride) {
    if (whole(i, n)) {
      int64_t f = -1, l = -1;
      RunFirstLast<E>(p, n, stride, tv.swap, spec, f, l);
      if (f >= 0) match(i + f);
      if (l > f) match(i + l);
    } else {
      for (int64_t j = 0; j < n; ++j, p += stride) {
        if (Meets(spec.cond, spec.value, Decode<E>(p, tv.swap))) match(i + j);
      }
    }
    i += n;
  });
}

// Whether walking the view in C order leaves file order: an axis of more than one element steps over fewer
// bytes than the innermost one (an F-order or transposed view).
bool OutOfFileOrder(const ViewSpec& v) {
  const int nd = static_cast<int>(v.shape.size());
  int inner = nd - 1;
  while (inner >= 0 && v.shape[inner] <= 1) --inner;
  for (int k = 0; k < inner; ++k) {
    if (v.shape[k] > 1 && std::llabs(v.strides[k]) < std::llabs(v.strides[inner])) return true;
  }
  return false;
}

// A view out of file order, walked in C order, reads a few bytes of a page at a time all over the file: a
// cold 4 GiB F-order 32768² float32 took 45 s (30 s warm) against 4 s for its statistics. So it is searched
// in bands of its first axis, each band walked in file order (its axes sorted by stride), and the answer is
// the lowest (backwards: highest) C index among the matches of the first band in search order that has any.
ConditionResult RunBanded(const MapInfo& map, ScanState& state, const ConditionSpec& spec, int64_t from,
                          int64_t to, int threads) {
  const ViewSpec& v = spec.v.view;
  const int nd = static_cast<int>(v.shape.size());
  std::array<int64_t, kMaxDims> cstride{};  // C-order element strides of v
  int64_t inner = 1;
  for (int k = nd - 1; k >= 0; --k) {
    cstride[k] = inner;
    if (k > 0) inner *= v.shape[k];
  }
  // the band's axes in file order: largest stride first (axes of one element first of all)
  std::array<int, kMaxDims> perm{};
  for (int k = 0; k < nd; ++k) perm[k] = k;
  std::stable_sort(perm.begin(), perm.begin() + nd, [&](int a, int b) {
    const int64_t sa = v.shape[a] <= 1 ? INT64_MAX : std::llabs(v.strides[a]);
    const int64_t sb = v.shape[b] <= 1 ? INT64_MAX : std::llabs(v.strides[b]);
    return sa > sb;
  });
  int axis0 = 0;  // where v's first axis is among the band's axes
  for (int m = 0; m < nd; ++m) {
    if (perm[m] == 0) axis0 = m;
  }
  // Rows per band: at least 16 Mi elements, and, when the first axis is the innermost in the file, runs of at
  // least 1 MiB along it.
  const int64_t itemsize = ReadSize(spec.v);
  const int64_t firstRow = from / inner, rows = (to - 1) / inner + 1 - firstRow;
  // ARRAYSCOPE_CONDITION_BAND (elements) sets the band's size alone, so that tests can cut small views into
  // many bands.
  const char* forced = std::getenv("ARRAYSCOPE_CONDITION_BAND");
  const int64_t target = forced ? std::max<int64_t>(1, std::atoll(forced)) : int64_t{1} << 24;
  int64_t bandRows = std::max<int64_t>(1, (target + inner - 1) / inner);
  if (axis0 == nd - 1 && !forced)
    bandRows = std::max(bandRows, ((int64_t{1} << 20) + itemsize - 1) / itemsize);
  bandRows = std::min(bandRows, rows);
  const int64_t bands = (rows + bandRows - 1) / bandRows;
  const int64_t step = ChunkElems(rows * inner, itemsize);
  // band s in search order is band b of the view; its chunks are [firstChunk[s], firstChunk[s + 1])
  auto bandOf = [&](int64_t s) { return spec.backwards ? bands - 1 - s : s; };
  auto rowsOf = [&](int64_t b) { return std::min(bandRows, rows - b * bandRows); };
  std::vector<int64_t> firstChunk(bands + 1, 0);
  for (int64_t s = 0; s < bands; ++s) {
    firstChunk[s + 1] = firstChunk[s] + (rowsOf(bandOf(s)) * inner + step - 1) / step;
  }
  const int64_t chunks = firstChunk[bands];
  auto locate = [&](int64_t k) {  // -> (s, first element of the chunk in its band, one past its last)
    const int64_t s = std::upper_bound(firstChunk.begin(), firstChunk.end(), k) - firstChunk.begin() - 1;
    const int64_t p0 = (k - firstChunk[s]) * step;
    return std::make_tuple(s, p0, std::min(rowsOf(bandOf(s)) * inner, p0 + step));
  };
  // the band's view: v's axes in file order, its first axis cut to the band's rows
  TypedView band = spec.v;
  for (int m = 0; m < nd; ++m) {
    band.view.shape[m] = v.shape[perm[m]];
    band.view.strides[m] = v.strides[perm[m]];
  }
  auto place = [&](TypedView& t, int64_t b) {
    const int64_t row = firstRow + b * bandRows;
    t.view.base = v.base + row * v.strides[0];
    t.view.shape[axis0] = rowsOf(b);
  };
  std::vector<TypedView> views(threads, band);
  std::vector<PieceScratch> scratch(threads);
  std::vector<int64_t> found(chunks, -1);
  std::atomic<int64_t> matchBand{INT64_MAX};
  PassPlan plan;
  plan.threads = threads;
  plan.chunks = chunks;
  int64_t first = 0;
  v.Extent(itemsize, &first, &plan.needEnd);
  plan.ranges = [&, band](int64_t k, std::vector<ByteRange>& out) mutable {
    const auto [s, p0, p1] = locate(k);
    place(band, bandOf(s));
    ChunkRanges(band.view, itemsize, p0, p1, out);
  };
  const int64_t covered = rows * inner;
  RunPass(map, state, plan, [&](int64_t k, int t) {
    const auto [s, p0, p1] = locate(k);
    if (s > matchBand.load(std::memory_order_acquire)) return false;  // an earlier band has the answer
    const int64_t b = bandOf(s), row0 = firstRow + b * bandRows;
    TypedView& tv = views[t];
    place(tv, b);
    int64_t best = -1, base = p0;
    ForEachPiece(map.data, tv, p0, p1, p1 - p0, scratch[t],
                 [&](const uint8_t* d, const TypedView& piece, int64_t j0, int64_t j1) {
                   const int64_t shift = tv.scaled ? base - j0 : 0;  // a decoded piece is indexed from 0
                   // the C index in v of the element at flat index j of the band's file order
                   auto cIndex = [&](int64_t j) {
                     int64_t rest = j + shift, c = row0 * inner;
                     for (int m = nd - 1; m >= 0; --m) {
                       const int64_t n = tv.view.shape[m];
                       c += (rest % n) * cstride[perm[m]];
                       rest /= n;
                     }
                     return c;
                   };
                   // a run of the band's last axis (not a decoded piece, which spans runs) has its C indices
                   // in order
                   auto whole = [&](int64_t j, int64_t n) {
                     return !tv.scaled && cIndex(j) >= from && cIndex(j + n - 1) < to;
                   };
                   WithElem(piece.elem, [&](auto e) {
                     ForEachMatch<decltype(e)::value>(d, piece, spec, j0, j1, whole, [&](int64_t j) {
                       const int64_t c = cIndex(j);
                       if (c < from || c >= to) return;
                       if (best < 0 || (spec.backwards ? c > best : c < best)) best = c;
                     });
                   });
                   base += j1 - j0;
                 });
    found[k] = best;
    if (best >= 0) {
      int64_t cur = matchBand.load();
      while (s < cur && !matchBand.compare_exchange_weak(cur, s)) {
      }
    }
    state.done.fetch_add((p1 - p0) * (to - from) / covered, std::memory_order_relaxed);
    return true;
  });
  ConditionResult r;
  const int64_t s = matchBand.load();
  if (s == INT64_MAX) return r;
  for (int64_t k = firstChunk[s]; k < firstChunk[s + 1]; ++k) {
    if (found[k] >= 0 && (r.index < 0 || (spec.backwards ? found[k] > r.index : found[k] < r.index)))
      r.index = found[k];
  }
  return r;
}
}  // namespace

ConditionResult RunCondition(const MapInfo& map, ScanState& state, const ConditionSpec& spec, int threads) {
  const TypedView& v = spec.v;
  const int64_t from = std::max<int64_t>(0, spec.from), to = std::min(v.view.size(), spec.to);
  ConditionResult r;
  if (from >= to) return r;
  if (!Possible(spec)) {
    state.done.fetch_add(to - from, std::memory_order_relaxed);
    return r;
  }
  if (!v.quantized && v.view.shape.size() >= 2 && OutOfFileOrder(v.view))
    return RunBanded(map, state, spec, from, to, threads);
  const int64_t step = ChunkElems(to - from, ItemSize(v.elem));
  const int64_t chunks = (to - from + step - 1) / step;
  // chunk k in search order covers [c0, c1)
  auto bounds = [&](int64_t k) {
    const int64_t c = spec.backwards ? chunks - 1 - k : k;
    return std::make_pair(from + c * step, std::min(to, from + (c + 1) * step));
  };
  std::vector<int64_t> found(chunks, -1);
  std::vector<PieceScratch> scratch(threads);
  const PassPlan plan = RangePlan(v, threads, chunks, bounds);
  RunPass(map, state, plan, [&](int64_t k, int t) {
    const auto [c0, c1] = bounds(k);
    int64_t first = -1, last = -1, base = c0;
    ForEachPiece(map.data, v, c0, c1, c1 - c0, scratch[t],
                 [&](const uint8_t* d, const TypedView& tv, int64_t j0, int64_t j1) {
                   // The chunk is searched whole: backwards searches want its last match, and a quantized
                   // view is decoded in pieces anyway. A run's C indices are in order, so its first and last
                   // match are all that is needed of it.
                   int64_t f = -1, l = -1;
                   WithElem(tv.elem, [&](auto e) {
                     ForEachMatch<decltype(e)::value>(
                         d, tv, spec, j0, j1, [](int64_t, int64_t) { return true; },
                         [&](int64_t j) {
                           if (f < 0) f = j;
                           l = j;
                         });
                   });
                   // a decoded (quantized or scaled) piece is indexed from 0: its first element is flat index
                   // `base`
                   const int64_t shift = v.quantized || v.scaled ? base - j0 : 0;
                   if (f >= 0 && first < 0) first = f + shift;
                   if (l >= 0) last = l + shift;
                   base += j1 - j0;
                 });
    found[k] = spec.backwards ? last : first;
    state.done.fetch_add(c1 - c0, std::memory_order_relaxed);
    return found[k] < 0;  // chunks are handed out in order: every earlier one is taken already
  });
  for (int64_t f : found) {
    if (f >= 0) {
      r.index = f;
      break;
    }
  }
  return r;
}

}  // namespace arrayscope
