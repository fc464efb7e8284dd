// The scan entry point: JS specs parsed into one spec type per operation, results turned back into JS.
#include "scan.h"

#include <cmath>
#include <string>

#include "coded_error.h"
#include "scan_worker.h"
#include "view_js.h"

namespace arrayscope {
namespace {

int64_t GetInt(Napi::Env env, Napi::Object o, const char* key) {
  return arrayscope::GetInt(env, o, key, "scan spec");
}

double GetNumber(Napi::Env env, Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) ThrowCoded(env, "EINVAL", std::string("scan spec needs a number '") + key + "'");
  return v.As<Napi::Number>().DoubleValue();
}

// With scale: {elem, swap, rule, slope, inter, blank?}, base/shape/strides are of the stored numbers (of type
// scale.elem) and elem is the values' type: f32 values are f4, f64 values f8, signflip values the stored
// integer with its sign flipped (u1 -> i1, i2 -> u2, i4 -> u4, i8 -> u8).
TypedView ParseScaled(Napi::Env env, Napi::Object spec, Napi::Value scale, TypedView tv, int64_t size) {
  if (!scale.IsObject()) ThrowCoded(env, "EINVAL", "scale must be {elem, swap, rule, slope, inter, blank?}");
  Napi::Object o = scale.As<Napi::Object>();
  ScaleView& sc = tv.sc;
  sc.stored = ParseElem(env, o.Get("elem").ToString().Utf8Value());
  sc.swap = o.Get("swap").ToBoolean().Value();
  if (!ScalableElem(sc.stored))
    ThrowCoded(env, "EINVAL", "scaled views read stored integers or f4/f8 numbers");
  const std::string rule = o.Get("rule").ToString().Utf8Value();
  sc.slope = GetNumber(env, o, "slope");
  sc.inter = GetNumber(env, o, "inter");
  Napi::Value blank = o.Get("blank");
  if (!blank.IsUndefined()) {
    if (!blank.IsNumber()) ThrowCoded(env, "EINVAL", "scale.blank must be a number");
    sc.hasBlank = true;
    sc.blank = blank.As<Napi::Number>().DoubleValue();
  }
  const Elem s = sc.stored;
  bool ok = false;
  if (rule == "f32") {
    sc.rule = ScaleView::Rule::kF32;
    ok = tv.elem == Elem::F4;
  } else if (rule == "f64") {
    sc.rule = ScaleView::Rule::kF64;
    ok = tv.elem == Elem::F8;
  } else if (rule == "signflip") {
    sc.rule = ScaleView::Rule::kSignFlip;
    ok = (s == Elem::U1 && tv.elem == Elem::I1) || (s == Elem::I2 && tv.elem == Elem::U2) ||
         (s == Elem::I4 && tv.elem == Elem::U4) || (s == Elem::I8 && tv.elem == Elem::U8);
  }
  if (!ok)
    ThrowCoded(env, "EINVAL",
               "scale.rule '" + rule + "' does not make values of this elem from these numbers");
  if (tv.swap) ThrowCoded(env, "EINVAL", "scaled values are native-order (swap belongs in scale)");
  tv.scaled = true;
  tv.view = ParseViewSpec(env, spec, ItemSize(sc.stored), size, "scaled view");
  return tv;
}

// {elem, swap, base, shape, strides}, checked to lie inside the mapping.
// With quant: {type, offset, count} the view is a virtual float32 array of a quantized tensor: count elements
// whose GGML blocks of type `type` start at byte `offset` of the mapping.
TypedView ParseView(Napi::Env env, Napi::Object spec, int64_t size) {
  TypedView tv;
  tv.elem = ParseElem(env, spec.Get("elem").ToString().Utf8Value());
  tv.swap = spec.Get("swap").ToBoolean().Value();
  Napi::Value scale = spec.Get("scale");
  if (!scale.IsUndefined()) return ParseScaled(env, spec, scale, tv, size);
  Napi::Value quant = spec.Get("quant");
  if (quant.IsUndefined()) {
    tv.view = ParseViewSpec(env, spec, ItemSize(tv.elem), size, "scan view");
    return tv;
  }
  if (!quant.IsObject()) ThrowCoded(env, "EINVAL", "quant must be {type, offset, count}");
  Napi::Object q = quant.As<Napi::Object>();
  const int64_t type = GetInt(env, q, "type");
  if (!QuantBlockOf(static_cast<int>(type), &tv.q.block))
    ThrowCoded(env, "EINVAL",
               "quant.type " + std::to_string(type) + " is not a block format the kernels decode");
  if (tv.elem != Elem::F4 || tv.swap)
    ThrowCoded(env, "EINVAL", "a quantized view reads as native float32 (f4)");
  tv.quantized = true;
  tv.q.type = static_cast<QuantType>(type);
  tv.q.offset = GetInt(env, q, "offset");
  tv.q.count = GetInt(env, q, "count");
  const int64_t blocks = (tv.q.count + tv.q.block.elems - 1) / tv.q.block.elems;
  if (tv.q.offset < 0 || tv.q.count < 0 ||
      static_cast<double>(blocks) * static_cast<double>(tv.q.block.bytes) >
          static_cast<double>(size - tv.q.offset))
    ThrowCoded(env, "ERANGE", "the quantized tensor's blocks lie outside the mapping");
  tv.view = ParseViewSpec(env, spec, 4, tv.q.count * 4, "quantized view");
  return tv;
}

Bins ParseBins(Napi::Env env, Napi::Object spec) {
  Bins b;
  b.bins = static_cast<int>(GetInt(env, spec, "bins"));
  b.lo = GetNumber(env, spec, "lo");
  b.hi = GetNumber(env, spec, "hi");
  if (b.bins < 1 || b.bins > (1 << 24) || !(b.hi > b.lo) || !std::isfinite(b.lo) || !std::isfinite(b.hi))
    ThrowCoded(env, "EINVAL", "histogram needs 1 <= bins <= 16777216 and a finite range lo < hi");
  const double step = (b.hi - b.lo) / b.bins;
  for (int k = 0; k <= b.bins; ++k) b.edges.push_back(b.lo + k * step);
  b.edges[b.bins] = b.hi;
  return b;
}

// {op: 'find', from, to, backwards, alignBase?, alignStep?} plus either {pattern, mask} (Uint8Arrays of one
// length) or {elem, swap, lo, hi}.
FindSpec ParseFind(Napi::Env env, Napi::Object spec, int64_t size) {
  FindSpec f;
  f.from = GetInt(env, spec, "from");
  f.to = GetInt(env, spec, "to");
  f.backwards = spec.Get("backwards").ToBoolean().Value();
  if (spec.Has("alignStep") && !spec.Get("alignStep").IsUndefined()) {
    f.alignStep = GetInt(env, spec, "alignStep");
    f.alignBase = GetInt(env, spec, "alignBase");
  }
  if (f.from < 0 || f.to > size || f.from > f.to || f.alignStep < 1)
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
    f.bytes = true;
    f.pattern.assign(p.Data(), p.Data() + p.ElementLength());
    f.mask.assign(m.Data(), m.Data() + m.ElementLength());
    for (size_t i = 0; i < f.pattern.size(); ++i) f.pattern[i] &= f.mask[i];
    return f;
  }
  f.elem = ParseElem(env, spec.Get("elem").ToString().Utf8Value());
  f.swap = spec.Get("swap").ToBoolean().Value();
  f.lo = GetNumber(env, spec, "lo");
  f.hi = GetNumber(env, spec, "hi");
  if (std::isnan(f.lo) || std::isnan(f.hi) || f.lo > f.hi)
    ThrowCoded(env, "EINVAL", "find needs a value range lo <= hi");
  return f;
}

// {op: 'diff', elem, swap, base, shape, strides (A, this mapping), b: {mapping, elem, swap, base, shape,
// strides}, rtol, atol, equalNan, first, mapRows?, mapCols?}
DiffSpec ParseDiff(Napi::Env env, Napi::Object spec, int64_t size, const MapInfo& other) {
  DiffSpec d;
  d.a = ParseView(env, spec, size);
  d.b = ParseView(env, spec.Get("b").As<Napi::Object>(), other.size);
  d.bMap = other;
  if (d.a.view.shape != d.b.view.shape) ThrowCoded(env, "EINVAL", "a diff needs two views of the same shape");
  d.rtol = GetNumber(env, spec, "rtol");
  d.atol = GetNumber(env, spec, "atol");
  if (!(d.rtol >= 0) || !(d.atol >= 0) || !std::isfinite(d.rtol) || !std::isfinite(d.atol))
    ThrowCoded(env, "EINVAL", "rtol and atol must be finite numbers >= 0");
  d.equalNan = spec.Get("equalNan").ToBoolean().Value();
  d.first = GetInt(env, spec, "first");
  if (d.first < 0 || d.first > 1000000) ThrowCoded(env, "EINVAL", "first must be 0 to 1,000,000");
  if (spec.Has("after") && !spec.Get("after").IsUndefined()) d.after = GetInt(env, spec, "after");
  if (spec.Has("before") && !spec.Get("before").IsUndefined()) d.before = GetInt(env, spec, "before");
  d.last = spec.Get("last").ToBoolean().Value();
  d.mapValues = spec.Get("mapValues").ToBoolean().Value();
  if (spec.Has("mapRows") && !spec.Get("mapRows").IsUndefined()) {
    d.mapRows = GetInt(env, spec, "mapRows");
    d.mapCols = GetInt(env, spec, "mapCols");
    if (d.mapRows < 1 || d.mapCols < 1 ||
        static_cast<double>(d.mapRows) * static_cast<double>(d.mapCols) > (1 << 22))
      ThrowCoded(env, "EINVAL",
                 "the mismatch map needs 1 <= mapRows, mapCols and mapRows * mapCols <= 4194304");
  }
  return d;
}

// {op: 'condition', ...view, condition: 'nan' | 'inf' | 'gt' | 'lt' | 'eq' | 'absgt', value?, from, to,
// backwards}
ConditionSpec ParseCondition(Napi::Env env, Napi::Object spec, int64_t size) {
  ConditionSpec c;
  c.v = ParseView(env, spec, size);
  const std::string kind = spec.Get("condition").ToString().Utf8Value();
  if (kind == "nan") {
    c.cond = Condition::kNan;
  } else if (kind == "inf") {
    c.cond = Condition::kInf;
  } else {
    if (kind == "gt")
      c.cond = Condition::kGreater;
    else if (kind == "lt")
      c.cond = Condition::kLess;
    else if (kind == "eq")
      c.cond = Condition::kEqual;
    else if (kind == "absgt")
      c.cond = Condition::kAbsGreater;
    else
      ThrowCoded(env, "EINVAL", "condition must be nan, inf, gt, lt, eq or absgt");
    c.value = GetNumber(env, spec, "value");
    if (std::isnan(c.value))
      ThrowCoded(env, "EINVAL", "a condition's value cannot be NaN (use condition nan)");
  }
  c.from = GetInt(env, spec, "from");
  c.to = GetInt(env, spec, "to");
  c.backwards = spec.Get("backwards").ToBoolean().Value();
  if (c.from < 0 || c.from > c.to || c.to > c.v.view.size())
    ThrowCoded(env, "EINVAL", "a condition search needs 0 <= from <= to <= the view's size");
  return c;
}

// {op: 'profile', ...view (2-D), keep: 0 | 1}
ProfileSpec ParseProfile(Napi::Env env, Napi::Object spec, int64_t size) {
  ProfileSpec p;
  p.v = ParseView(env, spec, size);
  if (p.v.view.shape.size() != 2) ThrowCoded(env, "EINVAL", "a profile needs a 2-D view");
  p.keep = static_cast<int>(GetInt(env, spec, "keep"));
  if (p.keep != 0 && p.keep != 1) ThrowCoded(env, "EINVAL", "a profile keeps axis 0 or 1");
  if (p.v.view.shape[p.keep] > (int64_t{1} << 24))
    ThrowCoded(env, "EINVAL",
               "a profile has at most 16,777,216 points: slice the view (this axis has " +
                   std::to_string(p.v.view.shape[p.keep]) + ")");
  return p;
}

ScanJob ParseJob(Napi::Env env, Napi::Object spec, int64_t size, const MapInfo& other) {
  const std::string op = spec.Get("op").ToString().Utf8Value();
  if (op == "find") return ParseFind(env, spec, size);
  if (op == "diff") return ParseDiff(env, spec, size, other);
  if (op == "condition") return ParseCondition(env, spec, size);
  if (op == "profile") return ParseProfile(env, spec, size);
  if (op != "stats" && op != "histogram" && op != "buckets" && op != "blocks" && op != "tile")
    ThrowCoded(env, "EINVAL",
               "scan op must be stats, histogram, buckets, blocks, tile, find, diff, condition or profile");
  TypedView tv = ParseView(env, spec, size);
  const int64_t n = tv.view.size();
  if (op == "stats") {
    StatsSpec s;
    s.v = tv;
    s.hasBins = spec.Has("bins") && !spec.Get("bins").IsUndefined();
    if (s.hasBins) s.bins = ParseBins(env, spec);
    return s;
  }
  if (op == "histogram") return HistSpec{tv, ParseBins(env, spec)};
  if (op == "buckets") {
    BucketsSpec b;
    b.v = tv;
    b.start = GetInt(env, spec, "start");
    b.stop = GetInt(env, spec, "stop");
    b.buckets = GetInt(env, spec, "buckets");
    if (tv.view.shape.size() != 1) ThrowCoded(env, "EINVAL", "buckets need a 1-D view");
    if (b.start < 0 || b.stop > n || b.start > b.stop || b.buckets < 1)
      ThrowCoded(env, "EINVAL", "buckets need 0 <= start <= stop <= size and buckets >= 1");
    b.buckets = std::min(b.buckets, std::max<int64_t>(1, b.stop - b.start));
    return b;
  }
  if (op == "tile") {
    TileSpec t;
    t.v = tv;
    if (tv.view.shape.size() != 2) ThrowCoded(env, "EINVAL", "a tile needs a 2-D view");
    t.r0 = GetInt(env, spec, "r0");
    t.r1 = GetInt(env, spec, "r1");
    t.c0 = GetInt(env, spec, "c0");
    t.c1 = GetInt(env, spec, "c1");
    t.outRows = GetInt(env, spec, "outRows");
    t.outCols = GetInt(env, spec, "outCols");
    t.sample = spec.Get("sample").ToBoolean().Value();
    if (spec.Has("blockRows") && !spec.Get("blockRows").IsUndefined()) {
      t.blockRows = GetInt(env, spec, "blockRows");
      t.blockCols = GetInt(env, spec, "blockCols");
      if (t.blockRows < 1 || t.blockCols < 1 || (t.outRows - 1) * t.blockRows >= t.r1 - t.r0 ||
          (t.outCols - 1) * t.blockCols >= t.c1 - t.c0 || t.outRows * t.blockRows < t.r1 - t.r0 ||
          t.outCols * t.blockCols < t.c1 - t.c0)
        ThrowCoded(env, "EINVAL", "a tile's blocks must cover its region with outRows × outCols pixels");
    }
    if (t.r0 < 0 || t.r0 > t.r1 || t.r1 > tv.view.shape[0] || t.c0 < 0 || t.c0 > t.c1 ||
        t.c1 > tv.view.shape[1])
      ThrowCoded(env, "EINVAL", "a tile's region must lie inside the view");
    if (t.outRows < 1 || t.outCols < 1 || t.outRows > t.r1 - t.r0 || t.outCols > t.c1 - t.c0 ||
        t.outRows * t.outCols > (1 << 22))
      ThrowCoded(env, "EINVAL",
                 "a tile has 1 to (its region's size) pixels per axis, at most 4194304 in all");
    return t;
  }
  BlocksSpec b;
  b.v = tv;
  if (tv.view.shape.size() != 2) ThrowCoded(env, "EINVAL", "blocks need a 2-D view");
  if (n == 0) ThrowCoded(env, "EINVAL", "blocks need a non-empty view");
  b.outRows = std::max<int64_t>(1, std::min(GetInt(env, spec, "outRows"), tv.view.shape[0]));
  b.outCols = std::max<int64_t>(1, std::min(GetInt(env, spec, "outCols"), tv.view.shape[1]));
  if (static_cast<double>(b.outRows) * static_cast<double>(b.outCols) > 1e8)
    ThrowCoded(env, "EINVAL", "blocks: outRows * outCols must be at most 100,000,000");
  b.max = spec.Get("reduce").ToString().Utf8Value() == "max";
  return b;
}

std::string Int128ToString(__int128 v) {
  if (v == 0) return "0";
  const bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  std::string s;
  while (u) {
    s.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) s.push_back('-');
  return std::string(s.rbegin(), s.rend());
}

Napi::Float64Array ToFloat64(Napi::Env env, const std::vector<double>& v) {
  Napi::Float64Array arr = Napi::Float64Array::New(env, v.size());
  std::copy(v.begin(), v.end(), arr.Data());
  return arr;
}

// {counts, edges}
Napi::Object HistogramToJs(Napi::Env env, const Bins& b, const std::vector<int64_t>& counts) {
  Napi::Object out = Napi::Object::New(env);
  Napi::Array c = Napi::Array::New(env, counts.size());
  for (size_t k = 0; k < counts.size(); ++k) c.Set(k, static_cast<double>(counts[k]));
  Napi::Array e = Napi::Array::New(env, b.edges.size());
  for (size_t k = 0; k < b.edges.size(); ++k) e.Set(k, b.edges[k]);
  out.Set("counts", c);
  out.Set("edges", e);
  return out;
}

Napi::Object StatsToJs(Napi::Env env, const StatsSpec& spec, const StatsResult& r) {
  Napi::Object out = Napi::Object::New(env);
  const Moments& m = r.m;
  const Elem e = spec.v.elem;
  const bool isInt = e == Elem::B1 || e == Elem::I1 || e == Elem::U1 || e == Elem::I2 || e == Elem::U2 ||
                     e == Elem::I4 || e == Elem::U4 || e == Elem::I8 || e == Elem::U8;
  out.Set("count", static_cast<double>(m.finite + m.nan + m.pinf + m.ninf));
  out.Set("finite", static_cast<double>(m.finite));
  out.Set("nan", static_cast<double>(m.nan));
  out.Set("posinf", static_cast<double>(m.pinf));
  out.Set("neginf", static_cast<double>(m.ninf));
  if (m.finite) {
    out.Set("min", m.min);
    out.Set("max", m.max);
    if (isInt) {
      out.Set("sum", Int128ToString(r.isum));
      out.Set("mean", static_cast<double>(static_cast<long double>(r.isum) / m.finite));
      if (e == Elem::I8) {
        out.Set("minExact", std::to_string(r.imin));
        out.Set("maxExact", std::to_string(r.imax));
      } else if (e == Elem::U8) {
        out.Set("minExact", std::to_string(r.umin));
        out.Set("maxExact", std::to_string(r.umax));
      }
    } else {
      out.Set("mean", m.s1 / m.finite);
    }
    out.Set("std", std::sqrt(m.s2));
  } else {
    out.Set("min", env.Null());
    out.Set("max", env.Null());
    out.Set("mean", env.Null());
    out.Set("std", env.Null());
  }
  if (spec.hasBins) out.Set("histogram", HistogramToJs(env, spec.bins, r.counts));
  return out;
}

Napi::Value NumberOrNull(Napi::Env env, int64_t v) {
  return v < 0 ? env.Null() : Napi::Value(Napi::Number::New(env, static_cast<double>(v)));
}

Napi::Object DiffToJs(Napi::Env env, const DiffResult& r) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("total", static_cast<double>(r.total));
  out.Set("mismatched", static_cast<double>(r.mismatched));
  out.Set("nanMismatched", static_cast<double>(r.nanMismatched));
  out.Set("infMismatched", static_cast<double>(r.infMismatched));
  out.Set("maxAbs", r.mismatched ? Napi::Value(Napi::Number::New(env, r.maxAbs)) : env.Null());
  out.Set("maxRel", r.mismatched ? Napi::Value(Napi::Number::New(env, r.maxRel)) : env.Null());
  out.Set("maxAbsAt", NumberOrNull(env, r.maxAbsAt));
  out.Set("maxRelAt", NumberOrNull(env, r.maxRelAt));
  Napi::Float64Array first = Napi::Float64Array::New(env, r.first.size());
  for (size_t k = 0; k < r.first.size(); ++k) first[k] = static_cast<double>(r.first[k]);
  out.Set("first", first);
  // the exponent histogram trimmed to its non-empty span
  size_t lo = 0, hi = r.diffExp.size();
  while (lo < hi && r.diffExp[lo] == 0) ++lo;
  while (hi > lo && r.diffExp[hi - 1] == 0) --hi;
  Napi::Float64Array counts = Napi::Float64Array::New(env, hi - lo);
  for (size_t k = lo; k < hi; ++k) counts[k - lo] = static_cast<double>(r.diffExp[k]);
  Napi::Object hist = Napi::Object::New(env);
  hist.Set("firstExponent", static_cast<double>(kDiffExpMin + static_cast<int>(lo)));
  hist.Set("counts", counts);
  hist.Set("equal", static_cast<double>(r.equal));
  hist.Set("nonFinite", static_cast<double>(r.nonFinite));
  out.Set("histogram", hist);
  if (!r.map.empty()) {
    Napi::Float64Array m = Napi::Float64Array::New(env, r.map.size());
    for (size_t k = 0; k < r.map.size(); ++k) m[k] = static_cast<double>(r.map[k]);
    out.Set("map", m);
    out.Set("mapRows", static_cast<double>(r.mapRows));
    if (!r.mapAbs.empty()) {
      out.Set("mapAbs", ToFloat64(env, r.mapAbs));
      out.Set("mapMean", ToFloat64(env, r.mapMean));
      out.Set("mapUlp", ToFloat64(env, r.mapUlp));
    }
    out.Set("mapCols", static_cast<double>(r.mapCols));
  }
  return out;
}

}  // namespace

Napi::Value ResultToJs(Napi::Env env, const ScanJob& job, const ScanResult& result) {
  if (auto* s = std::get_if<StatsSpec>(&job)) return StatsToJs(env, *s, std::get<StatsResult>(result));
  if (auto* h = std::get_if<HistSpec>(&job))
    return HistogramToJs(env, h->bins, std::get<HistResult>(result).counts);
  Napi::Object out = Napi::Object::New(env);
  if (std::holds_alternative<BucketsSpec>(job)) {
    const auto& b = std::get<BucketsResult>(result);
    out.Set("min", ToFloat64(env, b.min));
    out.Set("max", ToFloat64(env, b.max));
  } else if (auto* bl = std::get_if<BlocksSpec>(&job)) {
    out.Set("values", ToFloat64(env, std::get<BlocksResult>(result).values));
    out.Set("rows", static_cast<double>(bl->outRows));
    out.Set("cols", static_cast<double>(bl->outCols));
  } else if (std::holds_alternative<DiffSpec>(job)) {
    return DiffToJs(env, std::get<DiffResult>(result));
  } else if (std::holds_alternative<ConditionSpec>(job)) {
    out.Set("index", NumberOrNull(env, std::get<ConditionResult>(result).index));
  } else if (std::holds_alternative<ProfileSpec>(job)) {
    const auto& p = std::get<ProfileResult>(result);
    out.Set("count", ToFloat64(env, p.count));
    out.Set("mean", ToFloat64(env, p.mean));
    out.Set("min", ToFloat64(env, p.min));
    out.Set("max", ToFloat64(env, p.max));
    out.Set("std", ToFloat64(env, p.std));
  } else if (auto* t = std::get_if<TileSpec>(&job)) {
    const auto& px = std::get<TileResult>(result).pixels;
    Napi::Float32Array arr = Napi::Float32Array::New(env, px.size());
    std::copy(px.begin(), px.end(), arr.Data());
    out.Set("pixels", arr);
    out.Set("rows", static_cast<double>(t->outRows));
    out.Set("cols", static_cast<double>(t->outCols));
  } else {
    const int64_t at = std::get<FindResult>(result).offset;
    out.Set("offset", at >= 0 ? Napi::Value(Napi::Number::New(env, static_cast<double>(at))) : env.Null());
  }
  return out;
}

Napi::Value StartScan(const Napi::CallbackInfo& info, const MapInfo& map, const MapInfo& other,
                      const std::vector<Napi::Object>& owners, std::shared_ptr<ScanState> state,
                      std::function<void()> onDone) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) ThrowCoded(env, "EINVAL", "scan needs a spec object");
  ScanJob job = ParseJob(env, info[0].As<Napi::Object>(), map.size, other);
  Napi::Function onProgress =
      info.Length() > 1 && info[1].IsFunction() ? info[1].As<Napi::Function>() : Napi::Function();
  return LaunchScan(env, owners, map, std::move(job), state, onProgress, std::move(onDone));
}

Napi::Value SimdLevels(const Napi::CallbackInfo& info) {
  const auto levels = AvailableSimd();
  Napi::Array out = Napi::Array::New(info.Env(), levels.size());
  for (size_t k = 0; k < levels.size(); ++k) out.Set(k, SimdName(levels[k]));
  return out;
}

Napi::Value SimdLevel(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), SimdName(ActiveSimd()));
}

}  // namespace arrayscope
