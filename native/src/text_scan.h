// Numbers scanned from text as numpy's scanners read them (text_parse.cc's values): decimals with Clinger's
// exact path before std::from_chars, out-of-range decimals to ±inf or 0, integers saturated at 64 bits as
// strtol / strtoul do, and float16 rounded from the double.
#pragma once

#include <cstdint>

namespace arrayscope {

inline bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline char Lower(char c) { return static_cast<char>(c | 0x20); }

// A decimal out of double's range [a, b): ±inf when its decimal exponent is positive, else 0.
double OutOfRange(const char* a, const char* b);

// A float at p (numpy's number-like scan, text up to end); returns its end, or nullptr.
const char* ScanFloat(const char* p, const char* end, double* out);

// A decimal integer at p (C's strtol / strtoul, saturated at the 64-bit bounds); returns its end, or nullptr.
const char* ScanInt(const char* p, const char* end, bool is_signed, uint64_t* out);

// float16 from a double, rounded to nearest even (numpy's npy_double_to_half).
uint16_t DoubleToHalf(double d);

}  // namespace arrayscope
