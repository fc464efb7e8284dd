// Scaled values (FITS BSCALE/BZERO and its unsigned convention, NIfTI scl_slope/scl_inter, NetCDF
// scale_factor/add_offset): a view of stored numbers whose values are slope * raw + inter, rounded as the
// reference readers round (see src/shared/containers/scaling.ts). Passes scale a chunk's elements in pieces
// into a per-thread buffer and run the kernels of the values' type over it, as for quantized views.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "elem.h"

namespace arrayscope {

struct ScaleView {
  enum class Rule { kF32, kF64, kSignFlip };
  Elem stored = Elem::I2;  // the stored numbers' type (the view's base and strides are theirs)
  bool swap = false;       // their bytes are in non-native order
  Rule rule = Rule::kF64;
  double slope = 1, inter = 0;
  bool hasBlank = false;  // raw values equal to blank give NaN (blank NaN: raw NaNs, which stay NaN anyway)
  double blank = 0;
};

namespace scale_detail {

template <Elem E>
struct Raw;
template <>
struct Raw<Elem::I1> {
  using T = int8_t;
};
template <>
struct Raw<Elem::U1> {
  using T = uint8_t;
};
template <>
struct Raw<Elem::I2> {
  using T = int16_t;
};
template <>
struct Raw<Elem::U2> {
  using T = uint16_t;
};
template <>
struct Raw<Elem::I4> {
  using T = int32_t;
};
template <>
struct Raw<Elem::U4> {
  using T = uint32_t;
};
template <>
struct Raw<Elem::I8> {
  using T = int64_t;
};
template <>
struct Raw<Elem::U8> {
  using T = uint64_t;
};
template <>
struct Raw<Elem::F4> {
  using T = float;
};
template <>
struct Raw<Elem::F8> {
  using T = double;
};

template <typename T>
inline bool IsBlank(T raw, const ScaleView& s) {
  if (!s.hasBlank) return false;
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(s.blank) ? std::isnan(raw) : static_cast<double>(raw) == s.blank;
  } else {
    // integers compared exactly (a blank that is no integer of this type matches nothing)
    if (!(s.blank >= static_cast<double>(std::numeric_limits<T>::min()) &&
          s.blank <= static_cast<double>(std::numeric_limits<T>::max())))
      return false;
    return static_cast<long double>(raw) == static_cast<long double>(s.blank);
  }
}

// n stored numbers of type E from p, stride bytes apart, into out as the values (native order).
template <Elem E>
void ScaleRunOf(const uint8_t* p, int64_t n, int64_t stride, const ScaleView& s, uint8_t* out) {
  using T = typename Raw<E>::T;
  const bool useSlope = s.slope != 1, useInter = s.inter != 0;
  if (s.rule == ScaleView::Rule::kSignFlip) {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      constexpr U kSign = static_cast<U>(U{1} << (sizeof(T) * 8 - 1));
      for (int64_t j = 0; j < n; ++j, p += stride) {
        const U u = static_cast<U>(static_cast<U>(Load<T>(p, s.swap)) ^ kSign);
        std::memcpy(out + j * sizeof(T), &u, sizeof(T));
      }
    }
    return;
  }
  if (s.rule == ScaleView::Rule::kF32) {
    const float slope = static_cast<float>(s.slope), inter = static_cast<float>(s.inter);
    float* o = reinterpret_cast<float*>(out);
    for (int64_t j = 0; j < n; ++j, p += stride) {
      const T raw = Load<T>(p, s.swap);
      if (IsBlank(raw, s)) {
        o[j] = std::numeric_limits<float>::quiet_NaN();
        continue;
      }
      float x = static_cast<float>(raw);
      if (useSlope) x = x * slope;
      if (useInter) x = x + inter;
      o[j] = x;
    }
    return;
  }
  double* o = reinterpret_cast<double*>(out);
  for (int64_t j = 0; j < n; ++j, p += stride) {
    const T raw = Load<T>(p, s.swap);
    if (IsBlank(raw, s)) {
      o[j] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    double x = static_cast<double>(raw);
    if (useSlope) x = x * s.slope;
    if (useInter) x = x + s.inter;
    o[j] = x;
  }
}

}  // namespace scale_detail

// Whether the kernels scale stored numbers of type e (integers and float32/float64).
inline bool ScalableElem(Elem e) {
  return e == Elem::I1 || e == Elem::U1 || e == Elem::I2 || e == Elem::U2 || e == Elem::I4 || e == Elem::U4 ||
         e == Elem::I8 || e == Elem::U8 || e == Elem::F4 || e == Elem::F8;
}

// n stored numbers from p, stride bytes apart, scaled into out (values of the view's type, native order).
inline void ScaleRun(const uint8_t* p, int64_t n, int64_t stride, const ScaleView& s, uint8_t* out) {
  using K = Elem;
  switch (s.stored) {
    case K::I1:
      return scale_detail::ScaleRunOf<K::I1>(p, n, stride, s, out);
    case K::U1:
      return scale_detail::ScaleRunOf<K::U1>(p, n, stride, s, out);
    case K::I2:
      return scale_detail::ScaleRunOf<K::I2>(p, n, stride, s, out);
    case K::U2:
      return scale_detail::ScaleRunOf<K::U2>(p, n, stride, s, out);
    case K::I4:
      return scale_detail::ScaleRunOf<K::I4>(p, n, stride, s, out);
    case K::U4:
      return scale_detail::ScaleRunOf<K::U4>(p, n, stride, s, out);
    case K::I8:
      return scale_detail::ScaleRunOf<K::I8>(p, n, stride, s, out);
    case K::U8:
      return scale_detail::ScaleRunOf<K::U8>(p, n, stride, s, out);
    case K::F4:
      return scale_detail::ScaleRunOf<K::F4>(p, n, stride, s, out);
    case K::F8:
      return scale_detail::ScaleRunOf<K::F8>(p, n, stride, s, out);
    default:
      return;  // refused when the spec is parsed
  }
}

}  // namespace arrayscope
