// A CSV row of float64 values in the common form read with its separators found apart from its numbers.
// Why: reading a value to its end (its digits counted, then the separator after them) puts every value's
// parse on the way to the next value's start — one chain of dependent loads and bit counts, ~40 cycles a
// value. Here the next separator or newline is found by one 32-byte compare from the value's start, so the
// next value's start never waits on this one's digits and the processor parses several values at once; each
// number's end is then checked to be that separator (blanks, as a CR before the LF, may come between).
#pragma once

#include <cstdint>
#include <cstring>

#include "text_scan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace arrayscope {

// The row at p: cols float64 values separated by sep, each in QuickFloat's form, the last followed by a
// newline. Writes the values to out and returns the newline; null when the row is anything else (another
// count of values, a blank or a comment, an empty value, an exponent, nan, a number past limit) — the caller
// reads it the careful way. 32 bytes after limit must be readable; sep is no digit, sign, point or blank.
inline const char* CsvRowF8(const char* p, const char* limit, char sep, int64_t cols, uint8_t* out) {
#if defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const __m128i sv = _mm_set1_epi8(sep), nv = _mm_set1_epi8('\n');
  for (int64_t k = 0; k < cols && p <= limit; k++) {
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
    const uint32_t m =
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, sv), _mm_cmpeq_epi8(a, nv)))) |
        (static_cast<uint32_t>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, sv), _mm_cmpeq_epi8(b, nv))))
         << 16);
    if (m == 0) return nullptr;
    const char* const s = p + __builtin_ctz(m);
    double v;
    const char* q = QuickFloat(p, &v);
    if (q != s) {
      if (!q) return nullptr;
      while (*q != '\n' && IsSpace(static_cast<unsigned char>(*q))) q++;
      if (q != s) return nullptr;
    }
    std::memcpy(out + 8 * k, &v, 8);
    if (*s == '\n') return k + 1 == cols ? s : nullptr;
    p = s + 1;
  }
#else
  (void)p, (void)limit, (void)sep, (void)cols, (void)out;
#endif
  return nullptr;
}

}  // namespace arrayscope
