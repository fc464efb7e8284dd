#include "view_js.h"

#include <cmath>
#include <string>

#include "coded_error.h"

namespace arrayscope {

int64_t GetInt(Napi::Env env, Napi::Object o, const char* key, const char* what) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) ThrowCoded(env, "EINVAL", std::string(what) + " needs a number '" + key + "'");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0)
    ThrowCoded(env, "EINVAL", std::string(what) + " '" + key + "' must be an integer");
  return static_cast<int64_t>(d);
}

ViewSpec ParseViewSpec(Napi::Env env, Napi::Object o, int64_t itemsize, int64_t mapSize, const char* what) {
  ViewSpec v;
  const std::string w = what;
  v.base = GetInt(env, o, "base", what);
  Napi::Value shapeV = o.Get("shape"), stridesV = o.Get("strides");
  if (!shapeV.IsArray() || !stridesV.IsArray())
    ThrowCoded(env, "EINVAL", w + " needs shape and strides arrays");
  Napi::Array shape = shapeV.As<Napi::Array>(), strides = stridesV.As<Napi::Array>();
  if (shape.Length() != strides.Length())
    ThrowCoded(env, "EINVAL", w + ": shape and strides differ in length");
  if (shape.Length() > kMaxDims) ThrowCoded(env, "EINVAL", w + ": a view has at most 64 dimensions");
  bool empty = false;
  double count = 1;
  for (uint32_t k = 0; k < shape.Length(); ++k) {
    Napi::Value nv = shape.Get(k), sv = strides.Get(k);
    if (!nv.IsNumber() || !sv.IsNumber())
      ThrowCoded(env, "EINVAL", w + ": shape and strides must be numbers");
    const double nd = nv.As<Napi::Number>().DoubleValue(), sd = sv.As<Napi::Number>().DoubleValue();
    if (!(nd >= 0) || std::floor(nd) != nd || std::floor(sd) != sd || std::fabs(sd) > 9007199254740991.0)
      ThrowCoded(env, "EINVAL", w + ": shape must be non-negative integers and strides integers");
    if (nd == 0) empty = true;
    count *= nd;
    v.shape.push_back(static_cast<int64_t>(nd));
    v.strides.push_back(static_cast<int64_t>(sd));
  }
  if (empty) {
    v.shape.assign(v.shape.size(), 0);
    return v;
  }
  if (count > 9007199254740991.0) ThrowCoded(env, "ERANGE", w + " has too many elements");
  double lo = static_cast<double>(v.base), hi = lo;
  for (size_t k = 0; k < v.shape.size(); ++k)
    (v.strides[k] < 0 ? lo : hi) += static_cast<double>(v.shape[k] - 1) * static_cast<double>(v.strides[k]);
  if (lo < 0 || hi + static_cast<double>(itemsize) > static_cast<double>(mapSize))
    ThrowCoded(env, "ERANGE", w + " is outside the mapping");
  return v;
}

}  // namespace arrayscope
