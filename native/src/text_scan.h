// Numbers scanned from text as numpy's scanners read them (text_parse.cc's values): decimals with Clinger's
// exact path before std::from_chars, out-of-range decimals to ±inf or 0, integers saturated at 64 bits as
// strtol / strtoul do, and float16 rounded from the double.
#pragma once

#include <cstdint>
#include <cstring>

namespace arrayscope {

inline bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline char Lower(char c) { return static_cast<char>(c | 0x20); }

// A decimal out of double's range [a, b): ±inf when its decimal exponent is positive, else 0.
double OutOfRange(const char* a, const char* b);

// A float at p (numpy's number-like scan, text up to end); returns its end, or nullptr.
const char* ScanFloat(const char* p, const char* end, double* out);

// How many of the 8 bytes in v (the first in the lowest byte) are digits before the first that is not: a
// byte is a digit when its high nibble is 3 and its low one at most 9 (low + 6 reaching 0x10 says past 9;
// no carry crosses bytes).
inline int DigitRun(uint64_t v) {
  const uint64_t other = ((v & 0xF0F0F0F0F0F0F0F0ULL) ^ 0x3030303030303030ULL) |
                         (((v & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) & 0x1010101010101010ULL);
  return other ? __builtin_ctzll(other) >> 3 : 8;
}

// The first k (0..8) digits of v as an integer: placed as the last ones of an 8-digit number, then pairs,
// quads and the eight combined by multiplications.
inline uint64_t DigitValue(uint64_t v, int k) {
  const int shift = 4 * (8 - k);  // two shifts: k = 0 shifts all 64 bits out
  uint64_t d = ((v & 0x0F0F0F0F0F0F0F0FULL) << shift) << shift;
  d = d * 10 + (d >> 8);
  return (((d & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
          (((d >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
         32;
}

inline uint64_t Load8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// The common float at p — a sign, up to 7 digits, a point and up to 15 digits, at most 17 digits, not
// followed by an exponent — on Clinger's exact path with few branches (a value's sign and length vary
// from one value to the next: branches on them mispredict). 32 bytes at p must be readable. Returns its
// end, or nullptr for anything else (ScanFloat reads it then); the value is ScanFloat's, bit for bit.
inline const char* QuickFloat(const char* p, double* out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  // clang-format off
  static const uint64_t kPow[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000,
                                  10000000000, 100000000000, 1000000000000, 10000000000000, 100000000000000,
                                  1000000000000000, 10000000000000000};
  // clang-format on
  static const double kDiv[] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7, 1e8,
                                1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16};
  const bool neg = *p == '-';
  const char* q = p + (neg || *p == '+');
  const uint64_t a = Load8(q);
  const int ki = DigitRun(a);
  if (ki == 8) return nullptr;
  const uint64_t mi = DigitValue(a, ki);
  q += ki;
  int kf = 0;
  uint64_t mf = 0;
  if (*q == '.') {
    const uint64_t b1 = Load8(q + 1), b2 = Load8(q + 9);
    const int k1 = DigitRun(b1);
    const int k2 = k1 == 8 ? DigitRun(b2) : 0;
    if (k2 == 8) return nullptr;
    mf = DigitValue(b1, k1) * kPow[k2] + DigitValue(b2, k2);
    kf = k1 + k2;
    q += 1 + kf;
  }
  const int n = ki + kf;
  if (n == 0 || n > 17 || (*q | 0x20) == 'e') return nullptr;
  const uint64_t m = mi * kPow[kf] + mf;
  // exact when the digits before the last made an integer below 2^53 / 10 (ScanFloat's rule)
  if (m / 10 >= (uint64_t{1} << 53) / 10) return nullptr;
  // the sign put in by its bit: a branch on it would mispredict on every other value of random data
  uint64_t bits;
  const double v = static_cast<double>(m) / kDiv[kf];
  std::memcpy(&bits, &v, 8);
  bits |= static_cast<uint64_t>(neg) << 63;
  std::memcpy(out, &bits, 8);
  return q;
#else
  (void)p, (void)out;
  return nullptr;
#endif
}

// A decimal integer at p (C's strtol / strtoul, saturated at the 64-bit bounds); returns its end, or nullptr.
const char* ScanInt(const char* p, const char* end, bool is_signed, uint64_t* out);

// float16 from a double, rounded to nearest even (numpy's npy_double_to_half).
uint16_t DoubleToHalf(double d);

}  // namespace arrayscope
