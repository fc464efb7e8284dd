// Element types the native kernels read (numpy codes), their byte-order-aware loads and their value as a
// double: shared by the scan kernels and the text formatter.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

#include "coded_error.h"

namespace arrayscope {

enum class Elem { B1, I1, U1, I2, U2, I4, U4, I8, U8, F2, F4, F8, BF16, E4M3, E5M2 };

inline uint16_t Swap16(uint16_t v) { return static_cast<uint16_t>((v >> 8) | (v << 8)); }
inline uint32_t Swap32(uint32_t v) { return __builtin_bswap32(v); }
inline uint64_t Swap64(uint64_t v) { return __builtin_bswap64(v); }

template <typename T>
inline T Load(const uint8_t* p, bool swap) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  if (!swap || sizeof(T) == 1) return v;
  if constexpr (sizeof(T) == 2) {
    uint16_t u;
    std::memcpy(&u, &v, 2);
    u = Swap16(u);
    std::memcpy(&v, &u, 2);
  } else if constexpr (sizeof(T) == 4) {
    uint32_t u;
    std::memcpy(&u, &v, 4);
    u = Swap32(u);
    std::memcpy(&v, &u, 4);
  } else {
    uint64_t u;
    std::memcpy(&u, &v, 8);
    u = Swap64(u);
    std::memcpy(&v, &u, 8);
  }
  return v;
}

inline double HalfToDouble(uint16_t h) {
  const int exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
  const double sign = (h & 0x8000) ? -1.0 : 1.0;
  if (exp == 0) return sign * std::ldexp(frac, -24);
  if (exp == 0x1f) return frac ? std::numeric_limits<double>::quiet_NaN() : sign * HUGE_VAL;
  return sign * std::ldexp(1024 + frac, exp - 25);
}

inline double Float8ToDouble(uint8_t b, int expBits, int manBits, int bias, bool ieee) {
  const double sign = (b & 0x80) ? -1.0 : 1.0;
  const int expMax = (1 << expBits) - 1;
  const int exp = (b >> manBits) & expMax, man = b & ((1 << manBits) - 1);
  if (ieee && exp == expMax) return man ? std::numeric_limits<double>::quiet_NaN() : sign * HUGE_VAL;
  if (!ieee && exp == expMax && man == (1 << manBits) - 1) return std::numeric_limits<double>::quiet_NaN();
  if (exp == 0) return sign * std::ldexp(man, 1 - bias - manBits);
  return sign * std::ldexp((1 << manBits) + man, exp - bias - manBits);
}

// One element of type E at p as a double.
template <Elem E>
inline double Decode(const uint8_t* p, bool swap) {
  if constexpr (E == Elem::B1)
    return *p ? 1.0 : 0.0;
  else if constexpr (E == Elem::I1)
    return static_cast<int8_t>(*p);
  else if constexpr (E == Elem::U1)
    return *p;
  else if constexpr (E == Elem::I2)
    return Load<int16_t>(p, swap);
  else if constexpr (E == Elem::U2)
    return Load<uint16_t>(p, swap);
  else if constexpr (E == Elem::I4)
    return Load<int32_t>(p, swap);
  else if constexpr (E == Elem::U4)
    return Load<uint32_t>(p, swap);
  else if constexpr (E == Elem::I8)
    return static_cast<double>(Load<int64_t>(p, swap));
  else if constexpr (E == Elem::U8)
    return static_cast<double>(Load<uint64_t>(p, swap));
  else if constexpr (E == Elem::F2)
    return HalfToDouble(Load<uint16_t>(p, swap));
  else if constexpr (E == Elem::F4)
    return Load<float>(p, swap);
  else if constexpr (E == Elem::F8)
    return Load<double>(p, swap);
  else if constexpr (E == Elem::BF16) {
    uint32_t u = static_cast<uint32_t>(Load<uint16_t>(p, swap)) << 16;
    float fv;
    std::memcpy(&fv, &u, 4);
    return fv;
  } else if constexpr (E == Elem::E4M3)
    return Float8ToDouble(*p, 4, 3, 7, false);
  else
    return Float8ToDouble(*p, 5, 2, 15, true);
}

// Calls f(std::integral_constant<Elem, E>{}) for the element type e known only at run time.
template <typename F>
void WithElem(Elem e, F&& f) {
  using K = Elem;
  switch (e) {
    case K::B1:
      return f(std::integral_constant<K, K::B1>{});
    case K::I1:
      return f(std::integral_constant<K, K::I1>{});
    case K::U1:
      return f(std::integral_constant<K, K::U1>{});
    case K::I2:
      return f(std::integral_constant<K, K::I2>{});
    case K::U2:
      return f(std::integral_constant<K, K::U2>{});
    case K::I4:
      return f(std::integral_constant<K, K::I4>{});
    case K::U4:
      return f(std::integral_constant<K, K::U4>{});
    case K::I8:
      return f(std::integral_constant<K, K::I8>{});
    case K::U8:
      return f(std::integral_constant<K, K::U8>{});
    case K::F2:
      return f(std::integral_constant<K, K::F2>{});
    case K::F4:
      return f(std::integral_constant<K, K::F4>{});
    case K::F8:
      return f(std::integral_constant<K, K::F8>{});
    case K::BF16:
      return f(std::integral_constant<K, K::BF16>{});
    case K::E4M3:
      return f(std::integral_constant<K, K::E4M3>{});
    case K::E5M2:
      return f(std::integral_constant<K, K::E5M2>{});
  }
}

inline int ItemSize(Elem e) {
  switch (e) {
    case Elem::I2:
    case Elem::U2:
    case Elem::F2:
    case Elem::BF16:
      return 2;
    case Elem::I4:
    case Elem::U4:
    case Elem::F4:
      return 4;
    case Elem::I8:
    case Elem::U8:
    case Elem::F8:
      return 8;
    default:
      return 1;
  }
}

inline Elem ParseElem(Napi::Env env, const std::string& s) {
  static const std::pair<const char*, Elem> table[] = {
      {"b1", Elem::B1}, {"i1", Elem::I1}, {"u1", Elem::U1},     {"i2", Elem::I2},     {"u2", Elem::U2},
      {"i4", Elem::I4}, {"u4", Elem::U4}, {"i8", Elem::I8},     {"u8", Elem::U8},     {"f2", Elem::F2},
      {"f4", Elem::F4}, {"f8", Elem::F8}, {"bf16", Elem::BF16}, {"e4m3", Elem::E4M3}, {"e5m2", Elem::E5M2}};
  for (auto& [name, e] : table)
    if (s == name) return e;
  ThrowCoded(env, "EINVAL", "unsupported element type '" + s + "'");
}

}  // namespace arrayscope
