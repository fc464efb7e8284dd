// Numbers scanned from text as numpy reads them: see text_scan.h.
#include "text_scan.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace arrayscope {

// A decimal out of double's range: ±inf when its decimal exponent is positive, else 0 (from_chars says only
// "out of range" and leaves the value alone; strtod would answer the same but depends on the locale).
double OutOfRange(const char* a, const char* b) {
  int64_t lead = 0;  // the decimal exponent of the first significant digit, before the written exponent
  bool seenPoint = false, seenDigit = false;
  int64_t intDigits = 0, zerosAfterPoint = 0;
  const char* p = a;
  for (; p < b && (IsDigit(*p) || *p == '.'); p++) {
    if (*p == '.') {
      seenPoint = true;
    } else if (!seenDigit && *p == '0') {
      if (seenPoint) zerosAfterPoint++;
    } else {
      seenDigit = true;
      if (!seenPoint) intDigits++;
    }
  }
  lead = intDigits > 0 ? intDigits : -zerosAfterPoint;
  int64_t exp = 0;
  if (p < b && Lower(*p) == 'e') {
    p++;
    bool neg = p < b && *p == '-';
    if (p < b && (*p == '+' || *p == '-')) p++;
    for (; p < b && IsDigit(*p); p++) exp = std::min<int64_t>(exp * 10 + (*p - '0'), int64_t{1} << 40);
    if (neg) exp = -exp;
  }
  return lead + exp > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}

namespace {

constexpr uint64_t kInexact = ~uint64_t{0};

// Consumes the decimal digits at q, joining them to *mant (kInexact once past 10^18: too many for the exact
// path anyway, then only counted). Returns how many; eight at a time where eight bytes can be read.
inline int64_t Digits(const char*& q, const char* end, uint64_t* mant) {
  const char* const from = q;
  uint64_t m = *mant;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  while (end - q >= 8) {
    const uint64_t v = Load8(q);
    const int k = DigitRun(v);
    // the digits of a long number go on one by one (below: m * 10^8 must stay within 64 bits)
    if (k == 0 || m >= 100000000000ULL) break;
    static const uint64_t kScale[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    m = m * kScale[k] + DigitValue(v, k);
    q += k;
    if (k < 8) {
      *mant = m;
      return q - from;
    }
  }
#endif
  for (; q < end && IsDigit(*q); q++) {
    if (m == kInexact) continue;
    m = m >= 100000000000000000ULL ? kInexact : m * 10 + static_cast<uint64_t>(*q - '0');
  }
  *mant = m;
  return q - from;
}

}  // namespace

// Scans a float at p (text up to end): numpy's number-like string (sign; nan, nan(chars); inf, infinity or a
// prefix of it; digits, a point, digits, and an exponent only right after a digit). Returns its end or
// nullptr.
const char* ScanFloat(const char* p, const char* end, double* out) {
  const char* q = p;
  bool neg = false;
  if (q < end && (*q == '+' || *q == '-')) neg = *q++ == '-';
  if (q < end && Lower(*q) == 'n') {
    if (end - q < 3 || Lower(q[1]) != 'a' || Lower(q[2]) != 'n') return nullptr;
    q += 3;
    if (q < end && *q == '(') {
      const char* r = q + 1;
      while (r < end && (IsDigit(*r) || (Lower(*r) >= 'a' && Lower(*r) <= 'z') || *r == '_')) r++;
      if (r < end && *r == ')') q = r + 1;
    }
    *out = std::copysign(std::numeric_limits<double>::quiet_NaN(), neg ? -1.0 : 1.0);
    return q;
  }
  if (q < end && Lower(*q) == 'i') {
    if (end - q < 3 || Lower(q[1]) != 'n' || Lower(q[2]) != 'f') return nullptr;
    q += 3;
    static const char rest[] = "inity";
    for (int k = 0; k < 5 && q < end && Lower(*q) == rest[k]; k++) q++;
    *out = neg ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    return q;
  }
  const char* digits = q;
  // the digits as an integer and a power of ten, for the exact fast path below: exact while every digit
  // joined an integer below 2^53 / 10 (Digits takes them eight at a time)
  uint64_t mant = 0;
  int64_t n = Digits(q, end, &mant);
  int64_t exp10 = 0;
  if (q < end && *q == '.') {
    q++;
    const int64_t f = Digits(q, end, &mant);
    exp10 = -f;
    n += f;
  }
  if (n == 0) return nullptr;
  // the last digit joined an integer below 2^53 / 10 (so did every one before it): mant / 10 < 2^53 / 10
  bool exact = mant != kInexact && mant / 10 < (uint64_t{1} << 53) / 10;
  const char* mantissaEnd = q;
  if (q < end && Lower(*q) == 'e' && IsDigit(q[-1])) {
    q++;
    bool negExp = false;
    if (q < end && (*q == '+' || *q == '-')) negExp = *q++ == '-';
    const char* e0 = q;
    int64_t e = 0;
    while (q < end && IsDigit(*q)) e = std::min<int64_t>(e * 10 + (*q++ - '0'), 100000);
    if (q == e0) exact = false;  // '1e': from_chars takes the mantissa
    exp10 += negExp ? -e : e;
  }
  // Clinger's fast path: an integer below 2^53 times or over a power of ten up to 1e22 (both exact doubles)
  // is correctly rounded by one multiplication or division
  static const double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  if (exact && exp10 >= -22 && exp10 <= 22) {
    const double m = static_cast<double>(mant);
    const double v = exp10 < 0 ? m / kPow10[-exp10] : m * kPow10[exp10];
    *out = neg ? -v : v;
    return q;
  }
  double v = 0;
  auto r = std::from_chars(digits, q, v, std::chars_format::general);
  if (r.ec == std::errc::result_out_of_range) {
    v = OutOfRange(digits, q);
  } else if (r.ec != std::errc()) {
    // '1e' or '1e+': numpy takes the mantissa
    r = std::from_chars(digits, mantissaEnd, v, std::chars_format::fixed);
    if (r.ec == std::errc::result_out_of_range) v = OutOfRange(digits, mantissaEnd);
  }
  *out = neg ? -v : v;
  return q;
}

// Scans a decimal integer as strtol (is_signed) or strtoul: saturated at the 64-bit bounds, a '-' before an
// unsigned number negating it modulo 2^64.
const char* ScanInt(const char* p, const char* end, bool is_signed, uint64_t* out) {
  const char* q = p;
  bool neg = false;
  if (q < end && (*q == '+' || *q == '-')) neg = *q++ == '-';
  const char* d = q;
  uint64_t v = 0;
  bool over = false;
  for (; q < end && IsDigit(*q); q++) {
    const uint64_t digit = static_cast<uint64_t>(*q - '0');
    if (v > (UINT64_MAX - digit) / 10) over = true;
    v = over ? UINT64_MAX : v * 10 + digit;
  }
  if (q == d) return nullptr;
  if (is_signed) {
    const uint64_t lim = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
    if (over || v > lim) v = lim;
    *out = neg ? (~v + 1) : v;
  } else {
    *out = over ? UINT64_MAX : neg ? (~v + 1) : v;
  }
  return q;
}

// float16 from a double, rounded to nearest even (numpy's npy_double_to_half).
uint16_t DoubleToHalf(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  const uint16_t sign = static_cast<uint16_t>((b >> 48) & 0x8000);
  const uint64_t e = (b >> 52) & 0x7ff;
  const uint64_t m = b & ((uint64_t{1} << 52) - 1);
  if (e == 0x7ff) return static_cast<uint16_t>(sign | 0x7c00 | (m ? 0x200 | (m >> 42) : 0));
  auto round = [](uint64_t mant, int shift) -> uint64_t {
    if (shift > 63) return 0;
    const uint64_t q = mant >> shift, rem = mant & ((uint64_t{1} << shift) - 1),
                   half = uint64_t{1} << (shift - 1);
    return q + ((rem > half || (rem == half && (q & 1))) ? 1 : 0);
  };
  const int64_t E = static_cast<int64_t>(e) - 1023 + 15;
  if (E >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00);
  if (E <= 0) {
    if (e == 0) return sign;  // double subnormals are far below float16's smallest
    return static_cast<uint16_t>(sign | round(m | (uint64_t{1} << 52), static_cast<int>(1051 - e)));
  }
  return static_cast<uint16_t>(sign | ((static_cast<uint64_t>(E) << 10) + round(m, 42)));
}

}  // namespace arrayscope
