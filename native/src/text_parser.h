// The text parser (numpy.fromfile(sep=…) and np.loadtxt rows): its state and careful path, shared by
// text_parse.cc (what runs it) and text_fast.cc (its fast paths over common text). See text_parse.cc.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "text_parse.h"
#include "text_scan.h"

namespace arrayscope {
namespace textparse {

constexpr size_t kBuf = 4u << 20;
// a value or a separator is parsed only with this much text ahead of it (or the end of the file)
constexpr size_t kMargin = 4096;
constexpr size_t kOutFlush = 1u << 16;

inline const char* ElemName(TextElem e) {
  static const char* names[] = {"bool",    "int8",    "uint8",     "int16",     "uint16",
                                "int32",   "uint32",  "int64",     "uint64",    "float16",
                                "float32", "float64", "complex64", "complex128"};
  return names[static_cast<int>(e)];
}

inline bool IsFloat(TextElem e) {
  return e == TextElem::F2 || e == TextElem::F4 || e == TextElem::F8 || e == TextElem::B1;
}
inline bool IsComplex(TextElem e) { return e == TextElem::C8 || e == TextElem::C16; }

class Parser {
 public:
  Parser(const TextSpec& spec, TextStatus& status, TextResult& result, std::vector<char>* buf)
      : s_(spec), st_(status), r_(result), buf_(buf ? *buf : own_), out_buf_(kOutFlush + 4096) {
    if (buf_.size() != kBuf + 1) buf_.resize(kBuf + 1);
    // a segment's values stay in memory whole (the splitter writes them): straight into the buffer result
    // brings (a written segment's, its capacity kept), never copied from a staging one
    if (spec.segment && r_.bytes.size() > out_buf_.size()) out_buf_.swap(r_.bytes);
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
    // rows of one-character separators (or whitespace) take the fast path (FastRows); a window's bounded
    // parse stops at a count, which only the general one checks
    fast_ = s_.table && s_.maxValues < 0 && (spaceOnly_ || items_.size() == 2);
    fastStream_ = !s_.table && s_.maxValues < 0 && spaceOnly_;
    // CSV rows of float64 (CsvRows): a separator that cannot be part of a number, nor a comment's start
    const auto numeric = [](char c) {
      return IsDigit(c) || c == '+' || c == '-' || c == '.' || Lower(c) == 'e';
    };
    csv_ = fast_ && !spaceOnly_ && s_.elem == TextElem::F8 && !s_.swap && !numeric(items_[1]) &&
           (s_.comments.empty() || !numeric(s_.comments[0]));
  }

  bool Open() {
    in_ = std::fopen(s_.path.c_str(), "rb");
    if (!in_) return Fail("EIO", "cannot open " + s_.path + ": " + std::strerror(errno));
    if (s_.start > 0 && std::fseek(in_, static_cast<long>(s_.start), SEEK_SET) != 0)
      return Fail("EIO", "cannot seek in " + s_.path);
    base_ = s_.start;
    reported_ = s_.start;
    lineStart_ = s_.start;
    line_ = s_.startLine;
    if (!s_.out.empty()) {
      out_ = std::fopen(s_.out.c_str(), "r+b");
      if (!out_) return Fail("EIO", "cannot write the copy " + s_.out + ": " + std::strerror(errno));
      if (s_.outOffset > 0 && std::fseek(out_, static_cast<long>(s_.outOffset), SEEK_SET) != 0)
        return Fail("EIO", "cannot seek in the copy " + s_.out + ": " + std::strerror(errno));
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
    if (!ok) {
      // a split pass checks a failed segment's first row against the others'
      r_.cols = cols_ >= 0 ? cols_ : -1;
      // a segment's values before its error: the splitter writes them (the rows before a bad value are kept)
      if (s_.segment) r_.bytes.swap(out_buf_);
      return;
    }
    EndLine();
    r_.cols = cols_ >= 0 ? cols_ : -1;
    r_.lines = line_;
    Progress();
  }

  void Progress() {
    const int64_t at = base_ + static_cast<int64_t>(pos_);
    if (s_.segment) {
      // segments run side by side: each adds what it consumed since it last said
      st_.bytes.fetch_add(at - reported_, std::memory_order_relaxed);
      reported_ = at;
    } else {
      st_.bytes.store(at, std::memory_order_relaxed);
    }
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
    if (st_.cancel.load(std::memory_order_relaxed))
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

  // Room for n more bytes of values; returns where they go.
  inline uint8_t* OutAt(size_t n) {
    if (out_n_ + n > out_buf_.size()) out_buf_.resize(2 * out_buf_.size() + n);
    uint8_t* at = out_buf_.data() + out_n_;
    out_n_ += n;
    return at;
  }

  template <typename T>
  inline void Put(T v) {
    uint8_t* bytes = OutAt(sizeof(T));
    std::memcpy(bytes, &v, sizeof(T));
    if (s_.swap) {
      for (size_t k = 0; k < sizeof(T) / 2; k++) std::swap(bytes[k], bytes[sizeof(T) - 1 - k]);
    }
  }

  // A float at p: the common form inline (QuickFloat), the others by ScanFloat.
  static inline const char* Float(const char* p, const char* end, double* v) {
    const char* q = end - p >= 32 ? QuickFloat(p, v) : nullptr;
    return q ? q : ScanFloat(p, end, v);
  }

  // Scans the value at p (text up to end) into the output; returns its end, or nullptr when it does not
  // parse.
  inline const char* Scan(const char* p, const char* end) {
    const char* q = nullptr;
    const TextElem e = s_.elem;
    if (e == TextElem::F8) {
      double v = 0;
      q = Float(p, end, &v);
      if (q) Put<double>(v);
    } else if (IsComplex(e)) {
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
      // each part swapped on its own
      if (q && e == TextElem::C8) Put<float>(static_cast<float>(re)), Put<float>(static_cast<float>(im));
      if (q && e == TextElem::C16) Put<double>(re), Put<double>(im);
    } else if (IsFloat(e)) {
      double v = 0;
      q = Float(p, end, &v);
      if (q) {
        if (e == TextElem::F4)
          Put<float>(static_cast<float>(v));
        else if (e == TextElem::F2)
          Put<uint16_t>(DoubleToHalf(v));
        else
          *OutAt(1) = v != 0 ? 1 : 0;
      }
    } else {
      const bool sig = e == TextElem::I1 || e == TextElem::I2 || e == TextElem::I4 || e == TextElem::I8;
      uint64_t v = 0;
      q = ScanInt(p, end, sig, &v);
      if (q) {
        if (item_ == 1)
          *OutAt(1) = static_cast<uint8_t>(v);
        else if (item_ == 2)
          Put<uint16_t>(static_cast<uint16_t>(v));
        else if (item_ == 4)
          Put<uint32_t>(static_cast<uint32_t>(v));
        else
          Put<uint64_t>(v);
      }
    }
    return q;
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
    const TextElem e = s_.elem;
    const char* q = Scan(p, end);
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

  // The newlines in [a, b) of the buffer, counted as SkipSpace counts them.
  void NewLines(const char* a, const char* b) {
    for (const char* t = a; t < b; t++) {
      if (*t == '\n') pos_ = static_cast<size_t>(t - buf_.data()), NewLine();
    }
  }

  // the fast paths (text_fast.cc): each reads what it can and leaves the rest to the careful path
  bool FastStream();
  int64_t FastRows(int64_t most);
  int64_t CsvRows();

  // numpy.fromfile: values and separators to the end of the file.
  bool Stream() {
    if (Peek() < 0) return true;  // an empty file: no values
    for (;;) {
      if (fastStream_ && !FastStream()) return false;
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
      // CsvRows as far as it goes, FastRows the row it leaves (or, when it took none, the next 64: a text
      // whose rows it never takes, as with an exponent in every row, costs one try in 65 rows)
      if (csv_ && csvWait_ == 0) {
        const int64_t n = CsvRows();
        if (n < 0) return false;
        if (n == 0) csvWait_ = 64;
      }
      if (fast_) {
        const int64_t n = FastRows(csv_ ? std::max<int64_t>(1, csvWait_) : INT64_MAX);
        if (n < 0) return false;
        csvWait_ = std::max<int64_t>(0, csvWait_ - n);
        if (n > 0) continue;
        csvWait_ = 0;
      }
      if (Peek() < 0) break;
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
    if (s_.segment) {
      // the values from byte 0 to out_n_ of result.bytes (its size may be larger: count × item says)
      if (force) r_.bytes.swap(out_buf_);
      return true;
    }
    if (out_n_ < kOutFlush && !force) return true;
    if (out_) {
      if (out_n_ > 0 && std::fwrite(out_buf_.data(), 1, out_n_, out_) != out_n_)
        return Fail("EIO", "cannot write the copy " + s_.out + ": " + std::strerror(errno));
      if (std::fflush(out_) != 0)
        return Fail("EIO", "cannot write the copy " + s_.out + ": " + std::strerror(errno));
    } else {
      r_.bytes.insert(r_.bytes.end(), out_buf_.begin(),
                      out_buf_.begin() + static_cast<std::ptrdiff_t>(out_n_));
    }
    out_n_ = 0;
    written_ = r_.count;
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
  std::vector<char> own_;
  std::vector<char>& buf_;  // own_, or the caller's (a split pass's thread keeps one for all its segments)
  std::vector<uint8_t> out_buf_;  // values not yet written: [0, out_n_)
  size_t out_n_ = 0;
  bool fast_ = false, fastStream_ = false, csv_ = false;
  int64_t csvWait_ = 0;  // rows left to FastRows before CsvRows is tried again
  std::string items_;
  bool spaceOnly_ = true;
  int item_ = 8;
  std::FILE* in_ = nullptr;
  std::FILE* out_ = nullptr;
  size_t pos_ = 0, lim_ = 0;
  bool eof_ = false;
  int64_t base_ = 0;
  int64_t reported_ = 0;  // a segment: the byte up to which its progress is added to status.bytes
  int64_t line_ = 1, lineStart_ = 0;
  int64_t lineValues_ = 0, cols_ = -1;
  int64_t written_ = 0;
  int64_t untilIndex_ = 1;  // values until the next index point (the first value is one)
};

}  // namespace textparse
}  // namespace arrayscope
