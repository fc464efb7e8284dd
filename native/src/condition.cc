// Find by condition: the next (or previous) element of a view, in flat C order (the table's order), that is
// NaN, ±Inf, greater or less than a value, equal to it, or larger in magnitude. The index range is cut into
// chunks in search order that every thread takes in turn (see pass.h); each chunk records its first and last
// match, and the answer is the match of the earliest chunk in search order that has one, as in find.cc, so it
// is the same whatever the number of threads. Quantized tensors are searched by their dequantized values.
#include <algorithm>
#include <cmath>

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

// The first and last index in [i0, i1) of elements that meet the condition (-1: none). A chunk is searched
// whole: backwards searches want its last match, and a quantized view is decoded in pieces anyway.
template <Elem E>
void ScanRange(const uint8_t* data, const TypedView& tv, const ConditionSpec& spec, int64_t i0, int64_t i1,
               int64_t& first, int64_t& last) {
  int64_t i = i0;
  Walk<E>(data, tv.view, i0, i1, tv.swap, [&](double x, const uint8_t*) {
    if (Meets(spec.cond, spec.value, x)) {
      if (first < 0) first = i;
      last = i;
    }
    ++i;
  });
}

// Whether a condition can hold for any value of an integer or bool type (NaN and Inf cannot).
bool Possible(const ConditionSpec& spec) {
  const Elem e = spec.v.elem;
  const bool exact = e == Elem::B1 || e == Elem::I1 || e == Elem::U1 || e == Elem::I2 || e == Elem::U2 ||
                     e == Elem::I4 || e == Elem::U4 || e == Elem::I8 || e == Elem::U8;
  return !(exact && (spec.cond == Condition::kNan || spec.cond == Condition::kInf));
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
                   // a decoded (quantized or scaled) piece is indexed from 0: its first element is flat index
                   // `base`
                   int64_t f = -1, l = -1;
                   WithElem(tv.elem,
                            [&](auto e) { ScanRange<decltype(e)::value>(d, tv, spec, j0, j1, f, l); });
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
