// Text parsed as numpy reads it. Two modes:
// - fromfile (numpy.fromfile(f, dtype, sep=S)): one stream of values, lines do not matter. S is matched as
// numpy
//   matches it: whitespace in S matches any run of whitespace (a separator of whitespace alone at least one
//   character), a separator not starting with whitespace may be preceded by any; the text may end after a
//   separator, but not with whitespace after one ('1,2,\n' is numpy's "could not be read to its end" error),
//   and a file of whitespace alone is that error too.
// - table (np.loadtxt(delimiter=S, comments=C, skiprows=N, ndmin=2)): a newline ends a row, blank lines and
//   comments are skipped, every row has the same number of values (else: which line, how many).
// Values as numpy's scanners read them: integers in decimal with a sign, saturated at the 64-bit bounds (C's
// strtol / strtoul) then cut to the type's width (numpy casts the same way: '300' as uint8 is 44); floats in
// decimal with an exponent, nan / nan(chars) / inf / infinity in any case, out of range to ±inf or 0, parsed
// to double and rounded to the type (float16 correctly rounded from the double); bool: a float, non-zero is
// True; complex: 'a', 'bj', 'a+bj' or 'a-bj' with no space inside. No hexadecimal, no '1_000', no 'd'
// exponent.
#include "text_parse.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace arrayscope {
namespace {

constexpr size_t kBuf = 4u << 20;
// a value or a separator is parsed only with this much text ahead of it (or the end of the file)
constexpr size_t kMargin = 4096;
constexpr size_t kOutFlush = 1u << 16;

inline bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
inline bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
inline char Lower(char c) { return static_cast<char>(c | 0x20); }

const char* ElemName(TextElem e) {
  static const char* names[] = {"bool",    "int8",    "uint8",     "int16",     "uint16",
                                "int32",   "uint32",  "int64",     "uint64",    "float16",
                                "float32", "float64", "complex64", "complex128"};
  return names[static_cast<int>(e)];
}

bool IsFloat(TextElem e) {
  return e == TextElem::F2 || e == TextElem::F4 || e == TextElem::F8 || e == TextElem::B1;
}
bool IsComplex(TextElem e) { return e == TextElem::C8 || e == TextElem::C16; }

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
  int n = 0;
  // the digits as an integer and a power of ten, for the exact fast path below
  uint64_t mant = 0;
  int64_t exp10 = 0;
  bool exact = true;
  auto digit = [&](int d, bool fraction) {
    if (mant < (uint64_t{1} << 53) / 10) {
      mant = mant * 10 + static_cast<uint64_t>(d);
      if (fraction) exp10--;
    } else {
      exact = false;
    }
  };
  while (q < end && IsDigit(*q)) digit(*q++ - '0', false), n++;
  if (q < end && *q == '.') {
    q++;
    while (q < end && IsDigit(*q)) digit(*q++ - '0', true), n++;
  }
  if (n == 0) return nullptr;
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

template <typename T>
inline void Put(std::vector<uint8_t>& out, T v, bool swap) {
  const size_t at = out.size();
  out.resize(at + sizeof(T));
  uint8_t* bytes = out.data() + at;
  std::memcpy(bytes, &v, sizeof(T));
  if (swap) {
    for (size_t k = 0; k < sizeof(T) / 2; k++) std::swap(bytes[k], bytes[sizeof(T) - 1 - k]);
  }
}

// Put for complex: each part swapped on its own.
template <typename T>
void PutComplex(std::vector<uint8_t>& out, double re, double im, bool swap) {
  Put<T>(out, static_cast<T>(re), swap);
  Put<T>(out, static_cast<T>(im), swap);
}

class Parser {
 public:
  Parser(const TextSpec& spec, TextStatus& status, TextResult& result)
      : s_(spec), st_(status), r_(result), buf_(kBuf + 1) {
    out_buf_.reserve(kOutFlush + 64);
    bool ws = !spec.sep.empty();
    // numpy's separator: whitespace runs become one wildcard, and one goes before a separator that has none
    for (char c : spec.sep) {
      if (IsSpace(static_cast<unsigned char>(c))) {
        if (items_.empty() || items_.back() != ' ') items_.push_back(' ');
      } else {
        if (items_.empty()) items_.push_back(' ');
        items_.push_back(c);
        ws = false;
      }
    }
    if (items_.empty()) items_.push_back(' ');
    spaceOnly_ = ws || spec.sep.empty();
    item_ = TextItemSize(spec.elem);
  }

  bool Open() {
    in_ = std::fopen(s_.path.c_str(), "rb");
    if (!in_) return Fail("EIO", "cannot open " + s_.path + ": " + std::strerror(errno));
    if (s_.start > 0 && std::fseek(in_, static_cast<long>(s_.start), SEEK_SET) != 0)
      return Fail("EIO", "cannot seek in " + s_.path);
    base_ = s_.start;
    lineStart_ = s_.start;
    line_ = s_.startLine;
    if (!s_.out.empty()) {
      out_ = std::fopen(s_.out.c_str(), s_.second ? "w+b" : "r+b");
      if (!out_) return Fail("EIO", "cannot write the copy " + s_.out + ": " + std::strerror(errno));
    }
    return true;
  }

  ~Parser() {
    if (in_) std::fclose(in_);
    if (out_) std::fclose(out_);
  }

  void Run() {
    if (!Open()) return;
    for (int64_t k = 0; k < s_.skip; k++) {
      if (!SkipLine()) break;
    }
    bool ok = s_.table ? Table() : Stream();
    if (ok) ok = Flush(true);
    if (!ok) return;
    EndLine();
    r_.cols = cols_ >= 0 ? cols_ : -1;
    r_.lines = line_;
    Progress();
  }

  void Progress() {
    const int64_t at = base_ + static_cast<int64_t>(pos_);
    if (s_.second)
      st_.bytes2.store(at - s_.start, std::memory_order_relaxed);
    else
      st_.bytes.store(at, std::memory_order_relaxed);
  }

 private:
  bool Fail(const char* code, const std::string& message) {
    if (r_.code.empty()) {
      r_.code = code;
      r_.message = message;
      r_.errLine = line_;
    }
    return false;
  }

  int64_t Column() const { return base_ + static_cast<int64_t>(pos_) - lineStart_ + 1; }
  std::string Where() const {
    return "line " + std::to_string(line_) + ", column " + std::to_string(Column());
  }

  // What the text holds at pos, quoted, for a message.
  std::string Shown() {
    Ensure(64);
    size_t e = pos_;
    while (e < lim_ && e - pos_ < 24 && !IsSpace(static_cast<unsigned char>(buf_[e]))) e++;
    if (e == pos_)
      return pos_ < lim_ ? (buf_[pos_] == '\n' ? "the end of the line" : "whitespace") : "the end";
    return "'" + std::string(&buf_[pos_], e - pos_) + "'";
  }

  // Makes at least n bytes available at pos (fewer only at the end of the file).
  bool Ensure(size_t n) {
    if (lim_ - pos_ >= n || eof_) return true;
    std::memmove(buf_.data(), buf_.data() + pos_, lim_ - pos_);
    base_ += static_cast<int64_t>(pos_);
    lim_ -= pos_;
    pos_ = 0;
    while (lim_ < kBuf && !eof_) {
      size_t want = kBuf - lim_;
      // a part of a split pass reads to its end only
      if (s_.end >= 0)
        want = static_cast<size_t>(
            std::max<int64_t>(0, std::min<int64_t>(want, s_.end - (base_ + static_cast<int64_t>(lim_)))));
      const size_t got = want ? std::fread(buf_.data() + lim_, 1, want, in_) : 0;
      if (got == 0) {
        if (std::ferror(in_)) return Fail("EIO", "cannot read " + s_.path + ": " + std::strerror(errno));
        eof_ = true;
      }
      lim_ += got;
      if (lim_ - pos_ >= n) break;
    }
    buf_[lim_] = '\0';
    Progress();
    if (st_.cancel.load(std::memory_order_relaxed) || st_.stop.load(std::memory_order_relaxed))
      return Fail("ECANCELLED", "reading the text was cancelled");
    return true;
  }

  inline int Peek() {
    if (pos_ < lim_) return static_cast<unsigned char>(buf_[pos_]);
    if (!Ensure(1) || pos_ >= lim_) return -1;
    return static_cast<unsigned char>(buf_[pos_]);
  }

  void NewLine() {
    EndLine();
    line_++;
    lineStart_ = base_ + static_cast<int64_t>(pos_) + 1;
  }

  // fromfile: the values per line, so a whitespace table knows its columns
  void EndLine() {
    if (s_.table || lineValues_ == 0) return;
    r_.rows++;
    if (cols_ == -1) r_.firstRowLine = line_;
    cols_ = cols_ == -1 ? lineValues_ : cols_ == lineValues_ ? cols_ : -2;
    lineValues_ = 0;
  }

  // Skips whitespace (newlines too when allowed); returns the count skipped.
  int64_t SkipSpace(bool newlines) {
    int64_t n = 0;
    for (int c = Peek(); c >= 0 && IsSpace(static_cast<unsigned char>(c)); c = Peek()) {
      if (c == '\n') {
        if (!newlines) break;
        NewLine();
      }
      pos_++;
      n++;
    }
    return n;
  }

  bool SkipLine() {
    for (int c = Peek(); c >= 0; c = Peek()) {
      if (c == '\n') {
        NewLine();
        pos_++;
        return true;
      }
      pos_++;
    }
    return false;
  }

  bool AtComment() {
    if (s_.comments.empty() || Peek() != static_cast<unsigned char>(s_.comments[0])) return false;
    Ensure(s_.comments.size());
    return lim_ - pos_ >= s_.comments.size() &&
           std::memcmp(&buf_[pos_], s_.comments.data(), s_.comments.size()) == 0;
  }

  // Parses one value at pos into the output.
  bool Value() {
    if (--untilIndex_ <= 0) {
      r_.index.push_back({r_.count, base_ + static_cast<int64_t>(pos_), line_});
      untilIndex_ = s_.every;
    }
    if (lim_ - pos_ < kMargin && !Ensure(kMargin)) return false;
    const char* p = &buf_[pos_];
    const char* end = buf_.data() + lim_;
    const char* q = nullptr;
    const TextElem e = s_.elem;
    if (IsComplex(e)) {
      double re = 0, im = 0;
      q = ScanFloat(p, end, &re);
      if (q && q < end && *q == 'j') {
        im = re, re = 0, q++;
      } else if (q && q < end && (*q == '+' || *q == '-')) {
        q = ScanFloat(q, end, &im);
        if (q && q < end && *q == 'j')
          q++;
        else
          q = nullptr;
      }
      if (q && e == TextElem::C8) PutComplex<float>(out_buf_, re, im, s_.swap);
      if (q && e == TextElem::C16) PutComplex<double>(out_buf_, re, im, s_.swap);
    } else if (IsFloat(e)) {
      double v = 0;
      q = ScanFloat(p, end, &v);
      if (q) {
        if (e == TextElem::F8)
          Put<double>(out_buf_, v, s_.swap);
        else if (e == TextElem::F4)
          Put<float>(out_buf_, static_cast<float>(v), s_.swap);
        else if (e == TextElem::F2)
          Put<uint16_t>(out_buf_, DoubleToHalf(v), s_.swap);
        else
          out_buf_.push_back(v != 0 ? 1 : 0);
      }
    } else {
      const bool sig = e == TextElem::I1 || e == TextElem::I2 || e == TextElem::I4 || e == TextElem::I8;
      uint64_t v = 0;
      q = ScanInt(p, end, sig, &v);
      if (q) {
        if (item_ == 1)
          out_buf_.push_back(static_cast<uint8_t>(v));
        else if (item_ == 2)
          Put<uint16_t>(out_buf_, static_cast<uint16_t>(v), s_.swap);
        else if (item_ == 4)
          Put<uint32_t>(out_buf_, static_cast<uint32_t>(v), s_.swap);
        else
          Put<uint64_t>(out_buf_, v, s_.swap);
      }
    }
    if (!q) return Fail("EPARSE", Where() + ": cannot read " + Shown() + " as " + ElemName(e));
    if (q == end && !eof_) return Fail("EPARSE", Where() + ": a value longer than 4096 characters");
    pos_ += static_cast<size_t>(q - p);
    r_.count++;
    lineValues_++;
    if (r_.count == s_.maxValues) return false;
    return true;
  }

  bool SeparatorError() {
    std::string sep;
    for (char c : s_.sep) sep += c == '\n' ? "\\n" : c == '\t' ? "\\t" : std::string(1, c);
    return Fail("EPARSE", Where() + ": expected the separator '" + sep + "' after a value, found " + Shown());
  }

  // numpy.fromfile: values and separators to the end of the file.
  bool Stream() {
    if (Peek() < 0) return true;  // an empty file: no values
    for (;;) {
      const int64_t skipped = SkipSpace(true);
      if (Peek() < 0) {
        // a part of a split pass: whitespace at either end of it is the whitespace around a newline
        if (skipped == 0 || s_.more || s_.second) return r_.code.empty();
        return Fail("EPARSE", r_.count == 0 ? "the file holds only whitespace: numpy.fromfile refuses it"
                                            : Where() +
                                                  ": the text ends with whitespace after a separator "
                                                  "(numpy.fromfile refuses it)");
      }
      if (!Value()) return r_.code.empty() && r_.count == s_.maxValues;
      if (!Flush(false)) return false;
      if (spaceOnly_) {
        const int64_t n = SkipSpace(true);
        if (Peek() < 0) return r_.code.empty();
        if (n == 0) return SeparatorError();
        continue;
      }
      for (char item : items_) {
        if (item == ' ') {
          SkipSpace(true);
          if (Peek() < 0) return r_.code.empty();
        } else {
          const int c = Peek();
          if (c < 0) return r_.code.empty();
          if (c != static_cast<unsigned char>(item)) return SeparatorError();
          pos_++;
        }
      }
      // a separator at the very end of the file is allowed
      if (Peek() < 0) return r_.code.empty();
    }
  }

  bool AtRowEnd() {
    const int c = Peek();
    return c < 0 || c == '\n' || AtComment();
  }

  // Ends a row at a newline, a comment or the end: the comment and the newline consumed.
  bool EndRow(int64_t fields) {
    if (AtComment()) {
      while (Peek() >= 0 && Peek() != '\n') pos_++;
    }
    if (fields > 0) {
      if (cols_ == -1) {
        cols_ = fields;
        r_.firstRowLine = line_;
      }
      if (fields != cols_) {
        return Fail("ERAGGED", "line " + std::to_string(line_) + " has " + std::to_string(fields) +
                                   " values, the rows before it have " + std::to_string(cols_) +
                                   " (np.loadtxt: the number of columns changed)");
      }
      r_.rows++;
    }
    if (Peek() == '\n') {
      NewLine();
      pos_++;
    }
    return Flush(false);
  }

  // np.loadtxt: rows of values, one a line.
  bool Table() {
    while (Peek() >= 0) {
      int64_t fields = 0;
      bool afterSep = false;
      for (;;) {
        SkipSpace(false);
        if (AtRowEnd()) {
          if (afterSep) return Fail("EPARSE", Where() + ": the line ends with a separator (an empty value)");
          break;
        }
        if (afterSep && items_.size() > 1 && Peek() == static_cast<unsigned char>(items_[1]))
          return Fail("EPARSE", Where() + ": an empty value between two separators");
        if (!Value()) return r_.code.empty() && r_.count == s_.maxValues;
        fields++;
        afterSep = false;
        if (spaceOnly_) {
          const int64_t n = SkipSpace(false);
          if (AtRowEnd()) break;
          if (n == 0) return SeparatorError();
          continue;
        }
        for (size_t k = 0; k < items_.size(); k++) {
          if (items_[k] == ' ') {
            SkipSpace(false);
            continue;
          }
          if (k == 1 && AtRowEnd()) goto row_end;
          if (Peek() != static_cast<unsigned char>(items_[k])) return SeparatorError();
          pos_++;
        }
        afterSep = true;
      }
    row_end:
      if (!EndRow(fields)) return false;
    }
    return true;
  }

  // Writes the values parsed so far to the copy (at least 64 KiB of them unless forced).
  bool Flush(bool force) {
    if (out_buf_.size() < kOutFlush && !force) return true;
    if (out_) {
      if (!out_buf_.empty() && std::fwrite(out_buf_.data(), 1, out_buf_.size(), out_) != out_buf_.size())
        return Fail("EIO", "cannot write the copy " + s_.out + ": " + std::strerror(errno));
      if (std::fflush(out_) != 0)
        return Fail("EIO", "cannot write the copy " + s_.out + ": " + std::strerror(errno));
    } else {
      r_.bytes.insert(r_.bytes.end(), out_buf_.begin(), out_buf_.end());
    }
    out_buf_.clear();
    written_ = r_.count;
    if (s_.second) return true;  // the second part's values are appended to the copy at the end
    st_.written.store(written_, std::memory_order_release);
    if (s_.table) {
      st_.cols.store(cols_, std::memory_order_release);
      st_.rows.store(r_.rows, std::memory_order_release);
    }
    return true;
  }

  const TextSpec& s_;
  TextStatus& st_;
  TextResult& r_;
  std::vector<char> buf_;
  std::vector<uint8_t> out_buf_;
  std::string items_;
  bool spaceOnly_ = true;
  int item_ = 8;
  std::FILE* in_ = nullptr;
  std::FILE* out_ = nullptr;
  size_t pos_ = 0, lim_ = 0;
  bool eof_ = false;
  int64_t base_ = 0;
  int64_t line_ = 1, lineStart_ = 0;
  int64_t lineValues_ = 0, cols_ = -1;
  int64_t written_ = 0;
  int64_t untilIndex_ = 1;  // values until the next index point (the first value is one)
};

}  // namespace

int TextItemSize(TextElem e) {
  switch (e) {
    case TextElem::B1:
    case TextElem::I1:
    case TextElem::U1:
      return 1;
    case TextElem::I2:
    case TextElem::U2:
    case TextElem::F2:
      return 2;
    case TextElem::I4:
    case TextElem::U4:
    case TextElem::F4:
      return 4;
    case TextElem::C16:
      return 16;
    default:
      return 8;
  }
}

TextResult ParseTextPart(const TextSpec& spec, TextStatus& status) {
  TextResult result;
  Parser parser(spec, status, result);
  parser.Run();
  return result;
}

}  // namespace arrayscope
