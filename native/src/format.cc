#include "format.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "coded_error.h"
#include "elem.h"

namespace arrayscope {
namespace {

// One %-conversion as Python applies it (what numpy's tofile(format=…) does per element), and the text
// around it, between elements and between rows (CSV).
struct Spec {
  Elem elem = Elem::F4;
  bool swap = false;
  char conv = 'g';
  bool left = false, plus = false, space = false, zero = false;
  int width = 0;
  int precision = -1;  // none
  std::string prefix, suffix, sep, rowSep;
  int64_t rowLength = 0;  // 0: one row
  int64_t index0 = 0;     // the first element's index in the whole export (separators depend on it)
};

const char* Sign(bool neg, const Spec& s) { return neg ? "-" : s.plus ? "+" : s.space ? " " : ""; }

// Python's padding of sign + body to the width: '-' left-justifies; '0' pads with zeros after the sign
// (numbers, nan and inf alike). Returns the end of what it wrote at p.
char* Pad(char* p, const char* sign, const char* body, size_t n, const Spec& s) {
  const size_t ls = std::strlen(sign);
  const size_t fill = static_cast<int64_t>(ls + n) >= s.width ? 0 : s.width - ls - n;
  if (fill && !s.left && !s.zero) p = static_cast<char*>(std::memset(p, ' ', fill)) + fill;
  p = static_cast<char*>(std::memcpy(p, sign, ls)) + ls;
  if (fill && !s.left && s.zero) p = static_cast<char*>(std::memset(p, '0', fill)) + fill;
  p = static_cast<char*>(std::memcpy(p, body, n)) + n;
  if (fill && s.left) p = static_cast<char*>(std::memset(p, ' ', fill)) + fill;
  return p;
}

// Room a single formatted value can need beyond the width: %.300f of 1.8e308.
constexpr size_t kValueRoom = 1100;

constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr double kNegPow10[] = {1e-0,  1e-1,  1e-2,  1e-3,  1e-4,  1e-5,  1e-6,  1e-7,
                                1e-8,  1e-9,  1e-10, 1e-11, 1e-12, 1e-13, 1e-14, 1e-15,
                                1e-16, 1e-17, 1e-18, 1e-19, 1e-20, 1e-21, 1e-22};

// round(v) for v = a * 10^k (|k| <= 22) computed in doubles: at most two roundings (10^-k is inexact), so the
// result is certain unless v is within 4.5e-16 * v of a half; then false (the caller takes the exact path).
inline bool RoundScaled(double a, int k, uint64_t& out) {
  const double v = k >= 0 ? a * kPow10[k] : a * kNegPow10[-k];
  if (!(v < 9e15)) return false;
  const uint64_t fl = static_cast<uint64_t>(v);  // floor: v >= 0
  const double frac = v - static_cast<double>(fl);
  if (std::fabs(frac - 0.5) <= v * 4.5e-16 + 1e-300) return false;
  out = fl + (frac > 0.5 ? 1 : 0);
  return true;
}

// The decimal digits of v (v < 10^17) at out; returns how many.
inline int WriteDigits(char* out, uint64_t v) {
  static const char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char tmp[24];
  char* p = tmp + sizeof tmp;
  while (v >= 100) {
    const unsigned r = static_cast<unsigned>(v % 100);
    v /= 100;
    p -= 2;
    p[0] = kPairs[2 * r];
    p[1] = kPairs[2 * r + 1];
  }
  if (v >= 10) {
    p -= 2;
    p[0] = kPairs[2 * v];
    p[1] = kPairs[2 * v + 1];
  } else {
    *--p = static_cast<char>('0' + v);
  }
  const int n = static_cast<int>(tmp + sizeof tmp - p);
  for (int k = 0; k < n; ++k) out[k] = p[k];
  return n;
}

// |a| (normal, > 0) to n significant digits (1 <= n <= 15) in doubles: d has n digits and a ≈ d * 10^(e-n+1).
// False where doubles cannot be sure (near ties, extreme exponents): the caller takes the exact path.
inline bool FastDigits(double a, int n, uint64_t& d, int& e) {
  uint64_t bits;
  std::memcpy(&bits, &a, 8);
  const int exp2 = static_cast<int>((bits >> 52) & 0x7ff) - 1022;      // a = m * 2^exp2, m in [0.5, 1)
  e = static_cast<int>(std::floor((exp2 - 1) * 0.30102999566398120));  // log10(a), maybe one too low
  const uint64_t top = static_cast<uint64_t>(kPow10[n]);
  for (int tries = 0; tries < 2; ++tries, ++e) {
    if (n - 1 - e < -22 || n - 1 - e > 22 || !RoundScaled(a, n - 1 - e, d)) return false;
    if (d == top) {  // rounded up to 10^n (or e one too low with the same outcome): 10^(n-1) at e + 1
      d /= 10;
      ++e;
      return true;
    }
    if (d < top) return d >= top / 10;
    // more than n digits: e was one too low
  }
  return false;
}

// Writes d (decimal exponent e) as %e (precision n - 1) or %g (precision n) shows it; returns the length.
size_t DigitsText(char* buf, uint64_t d, int e, char conv) {
  char digits[24];
  const int nd = WriteDigits(digits, d);
  char* p = buf;
  const bool general = conv == 'g' || conv == 'G';
  if (general && e >= -4 && e < nd) {
    // positional, trailing zeros dropped
    int last = nd;
    while (last > 0 && digits[last - 1] == '0' && last > e + 1) --last;
    if (e >= 0) {
      for (int k = 0; k <= e; ++k) *p++ = digits[k];
      if (last > e + 1) {
        *p++ = '.';
        for (int k = e + 1; k < last; ++k) *p++ = digits[k];
      }
    } else {
      *p++ = '0';
      *p++ = '.';
      for (int z = 0; z < -e - 1; ++z) *p++ = '0';
      for (int k = 0; k < last; ++k) *p++ = digits[k];
    }
    return static_cast<size_t>(p - buf);
  }
  int last = nd;
  if (general)
    while (last > 1 && digits[last - 1] == '0') --last;
  *p++ = digits[0];
  if (last > 1) {
    *p++ = '.';
    for (int k = 1; k < last; ++k) *p++ = digits[k];
  }
  *p++ = conv == 'E' || conv == 'G' ? 'E' : 'e';
  *p++ = e < 0 ? '-' : '+';
  const int ae = e < 0 ? -e : e;
  if (ae < 10) *p++ = '0';
  p += WriteDigits(p, static_cast<uint64_t>(ae));
  return static_cast<size_t>(p - buf);
}

// The fast path for %.Ng / %.Ne / %.Nf of ordinary values; 0 when the exact path must run.
size_t FastFloat(char* buf, double a, char c, int prec) {
  if (!(a >= 2.2250738585072014e-308)) return 0;  // zero and subnormals: exact path
  if (c == 'f' || c == 'F') {
    uint64_t v;
    if (prec > 22 || !RoundScaled(a, prec, v)) return 0;
    char digits[24];
    const int nd = WriteDigits(digits, v);
    char* p = buf;
    if (nd <= prec) {
      *p++ = '0';
      *p++ = '.';
      for (int z = 0; z < prec - nd; ++z) *p++ = '0';
      for (int k = 0; k < nd; ++k) *p++ = digits[k];
    } else {
      for (int k = 0; k < nd - prec; ++k) *p++ = digits[k];
      if (prec > 0) {
        *p++ = '.';
        for (int k = nd - prec; k < nd; ++k) *p++ = digits[k];
      }
    }
    return static_cast<size_t>(p - buf);
  }
  const int n = c == 'g' || c == 'G' ? (prec == 0 ? 1 : prec) : prec + 1;
  if (n > 15) return 0;
  uint64_t d;
  int e;
  if (!FastDigits(a, n, d, e)) return 0;
  return DigitsText(buf, d, e, c);
}

// e E f F g G: correctly rounded, ties to even, as Python's (and printf's): the fast path where doubles are
// sure, else std::to_chars's exact digits. Writes at p (kValueRoom + width bytes free); returns the end.
char* FormatFloat(char* p, double x, const Spec& s) {
  const bool upper = s.conv == 'E' || s.conv == 'F' || s.conv == 'G';
  // Python zero-pads nan and inf too ('%08.2f' % inf == '00000inf'); NaN never shows a minus sign
  if (std::isnan(x)) return Pad(p, Sign(false, s), upper ? "NAN" : "nan", 3, s);
  const char* sign = Sign(std::signbit(x), s);
  if (std::isinf(x)) return Pad(p, sign, upper ? "INF" : "inf", 3, s);
  const int prec = s.precision < 0 ? 6 : s.precision;
  const double a = std::fabs(x);
  auto digits = [&](char* body) {
    size_t n = FastFloat(body, a, s.conv, prec);
    if (n) return n;
    const std::chars_format cf = s.conv == 'f' || s.conv == 'F'   ? std::chars_format::fixed
                                 : s.conv == 'e' || s.conv == 'E' ? std::chars_format::scientific
                                                                  : std::chars_format::general;
    n = static_cast<size_t>(std::to_chars(body, body + kValueRoom - 8, a, cf, prec).ptr - body);
    if (upper)
      for (size_t k = 0; k < n; ++k)
        if (body[k] == 'e') body[k] = 'E';
    return n;
  };
  if (s.width == 0) {  // no padding: the digits go straight to the output, after the sign
    const size_t ls = std::strlen(sign);
    std::memcpy(p, sign, ls);
    return p + ls + digits(p + ls);
  }
  char local[kValueRoom];
  return Pad(p, sign, local, digits(local), s);
}

// d i u: the integer's digits, zero-extended to the precision.
char* FormatInt(char* p, bool neg, uint64_t magnitude, const Spec& s) {
  char buf[400];
  char* q = buf;
  char digits[24];
  const int nd = static_cast<int>(std::to_chars(digits, digits + sizeof digits, magnitude).ptr - digits);
  if (s.precision > nd) q = static_cast<char*>(std::memset(q, '0', s.precision - nd)) + (s.precision - nd);
  q = static_cast<char*>(std::memcpy(q, digits, nd)) + nd;
  return Pad(p, Sign(neg, s), buf, static_cast<size_t>(q - buf), s);
}

// A growing output buffer written through raw pointers (no per-append checks).
struct Out {
  char* data = nullptr;
  size_t len = 0, cap = 0;
  ~Out() { std::free(data); }
  char* Room(size_t n) {
    if (cap - len < n) {
      cap = std::max(cap * 2, len + n);
      data = static_cast<char*>(std::realloc(data, cap));
      if (!data) throw std::bad_alloc();
    }
    return data + len;
  }
};

template <Elem E>
void FormatRange(const uint8_t* data, int64_t e0, int64_t e1, const Spec& s, Out& out) {
  constexpr bool kFloatElem = E == Elem::F2 || E == Elem::F4 || E == Elem::F8 || E == Elem::BF16 ||
                              E == Elem::E4M3 || E == Elem::E5M2;
  const bool intConv = s.conv == 'd' || s.conv == 'i' || s.conv == 'u';
  const int size = ItemSize(E);
  const size_t room =
      kValueRoom + s.width + s.prefix.size() + s.suffix.size() + std::max(s.sep.size(), s.rowSep.size());
  out.Room(static_cast<size_t>(e1 - e0) * 12 + room);
  for (int64_t e = e0; e < e1; ++e) {
    char* p = out.Room(room);
    const int64_t i = s.index0 + e;
    if (i > 0) {
      const std::string& sep = s.rowLength > 0 && i % s.rowLength == 0 ? s.rowSep : s.sep;
      p = static_cast<char*>(std::memcpy(p, sep.data(), sep.size())) + sep.size();
    }
    p = static_cast<char*>(std::memcpy(p, s.prefix.data(), s.prefix.size())) + s.prefix.size();
    const uint8_t* q = data + e * size;
    if (!kFloatElem && intConv) {
      if constexpr (E == Elem::U8) {
        p = FormatInt(p, false, Load<uint64_t>(q, s.swap), s);
      } else if constexpr (E == Elem::I8) {
        const int64_t v = Load<int64_t>(q, s.swap);
        p = FormatInt(p, v < 0, v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v), s);
      } else {
        const int64_t v = static_cast<int64_t>(Decode<E>(q, s.swap));  // exact for these widths
        p = FormatInt(p, v < 0, static_cast<uint64_t>(v < 0 ? -v : v), s);
      }
    } else if constexpr (E == Elem::I8) {
      p = FormatFloat(p, static_cast<double>(Load<int64_t>(q, s.swap)), s);  // Python's float(int): nearest
    } else if constexpr (E == Elem::U8) {
      p = FormatFloat(p, static_cast<double>(Load<uint64_t>(q, s.swap)), s);
    } else {
      p = FormatFloat(p, Decode<E>(q, s.swap), s);
    }
    p = static_cast<char*>(std::memcpy(p, s.suffix.data(), s.suffix.size())) + s.suffix.size();
    out.len = static_cast<size_t>(p - out.data);
  }
}

void FormatAny(const uint8_t* data, int64_t e0, int64_t e1, const Spec& s, Out& out) {
  WithElem(s.elem, [&](auto e) { FormatRange<decltype(e)::value>(data, e0, e1, s, out); });
}

std::string Str(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

}  // namespace

Napi::Value FormatText(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsObject())
    ThrowCoded(env, "EINVAL", "formatText needs (bytes: Uint8Array, spec)");
  Napi::TypedArray ta = info[0].As<Napi::TypedArray>();
  if (ta.TypedArrayType() != napi_uint8_array) ThrowCoded(env, "EINVAL", "formatText needs a Uint8Array");
  Napi::Uint8Array bytes = ta.As<Napi::Uint8Array>();
  Napi::Object o = info[1].As<Napi::Object>();
  Spec s;
  s.elem = ParseElem(env, Str(o, "elem"));
  s.swap = o.Get("swap").ToBoolean().Value();
  const std::string conv = Str(o, "conv");
  if (conv.size() != 1 || std::string("diueEfFgG").find(conv[0]) == std::string::npos)
    ThrowCoded(env, "EINVAL", "formatText: conv must be one of d i u e E f F g G");
  s.conv = conv[0];
  for (char c : Str(o, "flags")) {
    if (c == '-')
      s.left = true;
    else if (c == '+')
      s.plus = true;
    else if (c == ' ')
      s.space = true;
    else if (c == '0')
      s.zero = true;
    else
      ThrowCoded(env, "EINVAL", "formatText: flags may be - + space 0");
  }
  s.width = o.Get("width").ToNumber().Int32Value();
  s.precision = o.Get("precision").IsNumber() ? o.Get("precision").ToNumber().Int32Value() : -1;
  if (s.width < 0 || s.width > 300 || s.precision > 300)
    ThrowCoded(env, "EINVAL", "formatText: width and precision must be at most 300");
  s.prefix = Str(o, "prefix");
  s.suffix = Str(o, "suffix");
  s.sep = Str(o, "sep");
  s.rowSep = Str(o, "rowSep");
  s.rowLength = static_cast<int64_t>(o.Get("rowLength").ToNumber().DoubleValue());
  s.index0 = static_cast<int64_t>(o.Get("index0").ToNumber().DoubleValue());
  const int64_t count = static_cast<int64_t>(o.Get("count").ToNumber().DoubleValue());
  if (count < 0 || s.rowLength < 0 || s.index0 < 0 ||
      count * ItemSize(s.elem) > static_cast<int64_t>(bytes.ByteLength()))
    ThrowCoded(env, "EINVAL", "formatText: count elements do not fit in the bytes given");
  // large chunks are cut in parts formatted on threads, then joined in order
  const int parts =
      count < (1 << 16) ? 1 : std::max(1, std::min(8, static_cast<int>(std::thread::hardware_concurrency())));
  std::vector<Out> outs(parts);
  const uint8_t* data = bytes.Data();
  // out of memory in any part is reported once all have stopped (an exception must not leave a thread)
  std::atomic<bool> failed{false};
  auto part = [&](int t) {
    try {
      FormatAny(data, count * t / parts, count * (t + 1) / parts, s, outs[t]);
    } catch (...) {
      failed = true;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < parts; ++t) pool.emplace_back(part, t);
  part(0);
  for (auto& th : pool) th.join();
  if (failed) ThrowCoded(env, "ENOMEM", "not enough memory to format this part of the export");
  size_t total = 0;
  for (auto& o : outs) total += o.len;
  Napi::Uint8Array result = Napi::Uint8Array::New(env, total);
  size_t at = 0;
  for (auto& o : outs) {
    if (o.len) std::memcpy(result.Data() + at, o.data, o.len);
    at += o.len;
  }
  return result;
}

}  // namespace arrayscope
