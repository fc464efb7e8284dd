// The text parser's fast paths (text_parser.h's Parser): whole rows or values of common text read with the
// pointer alone, anything else left to the careful path in text_parser.h.
#include "text_parser.h"
#include "text_row.h"

namespace arrayscope {
namespace textparse {

// numpy.fromfile with a whitespace separator on the fast path (as FastRows): a value and the whitespace
// after it at a time, while 4 KiB lie ahead after both; otherwise the value is given back (undone) and
// Stream() goes on from its start. Entered where Stream() skips whitespace before a value. False only when
// the copy cannot be written.
bool Parser::FastStream() {
  const char* const base = buf_.data();
  const char* const end = base + lim_;
  const bool f8 = s_.elem == TextElem::F8 && !s_.swap;
  const char* s = base + pos_;
  while (IsSpace(static_cast<unsigned char>(*s))) s++;  // buf_[lim_] is '\0'
  if (end - s < static_cast<std::ptrdiff_t>(kMargin)) return true;
  NewLines(base + pos_, s);
  pos_ = static_cast<size_t>(s - base);
  for (;;) {
    const char* p = base + pos_;
    const size_t out0 = out_n_, index0 = r_.index.size();
    const int64_t until0 = untilIndex_;
    if (--untilIndex_ <= 0) {
      r_.index.push_back({r_.count, base_ + (p - base), line_});
      untilIndex_ = s_.every;
    }
    double v;
    const char* q = f8 ? QuickFloat(p, &v) : nullptr;
    if (q)
      std::memcpy(OutAt(8), &v, 8);
    else
      q = Scan(p, end);
    const char* next = q;
    if (q && q < end) {
      while (IsSpace(static_cast<unsigned char>(*next))) next++;
    }
    if (!q || next == q || end - next < static_cast<std::ptrdiff_t>(kMargin)) {
      out_n_ = out0, untilIndex_ = until0, r_.index.resize(index0);
      return true;
    }
    r_.count++, lineValues_++;
    NewLines(q, next);
    pos_ = static_cast<size_t>(next - base);
    if (!Flush(false)) return false;
  }
}

// np.loadtxt's rows on the fast path: whole rows of values and one-character separators (or whitespace),
// read with the pointer alone while 4 KiB of text lie ahead (as Value() asks) — no Peek, Ensure or Fail per
// character. A row with anything else (a comment, an error, a ragged row, the buffer's end near) is given
// back untouched (its values, index points and counts undone) to Table(), which reads it, or says what is
// wrong, as before. Returns the rows read (at most `most`), or -1 when the copy cannot be written.
int64_t Parser::FastRows(int64_t most) {
  int64_t done = 0;
  const char* const base = buf_.data();
  const char* const end = base + lim_;
  const char sep = spaceOnly_ ? ' ' : items_[1];
  const int comment = s_.comments.empty() ? -1 : static_cast<unsigned char>(s_.comments[0]);
  auto blank = [](char c) { return c != '\n' && IsSpace(static_cast<unsigned char>(c)); };
  const bool f8 = s_.elem == TextElem::F8 && !s_.swap;  // kMargin ≥ the 32 bytes QuickFloat reads
  for (;;) {
    // the row's state in locals (kept in registers: the values' stores could alias the members), the
    // members set once the row is whole
    const char* p = base + pos_;
    const size_t index0 = r_.index.size();
    const size_t out0 = out_n_;
    size_t n = out0, cap = out_buf_.size();
    uint8_t* ob = out_buf_.data();
    int64_t fields = 0, until = untilIndex_;
    bool afterSep = false, whole = true;
    for (;;) {
      while (blank(*p)) p++;  // buf_[lim_] is '\0': no run passes the end
      const int c = static_cast<unsigned char>(*p);
      if (end - p < static_cast<std::ptrdiff_t>(kMargin) || c == comment || (afterSep && c == sep)) {
        whole = false;
        break;
      }
      if (c == '\n') {
        whole = !afterSep;
        break;
      }
      if (--until <= 0) {
        r_.index.push_back({r_.count + fields, base_ + (p - base), line_});
        until = s_.every;
      }
      // float64 in the common form written here, inline; anything else by Scan
      double v;
      const char* q = f8 ? QuickFloat(p, &v) : nullptr;
      if (q) {
        if (n + 8 > cap) out_buf_.resize(2 * cap), ob = out_buf_.data(), cap = out_buf_.size();
        std::memcpy(ob + n, &v, 8);
        n += 8;
      } else {
        out_n_ = n;
        q = Scan(p, end);
        n = out_n_, ob = out_buf_.data(), cap = out_buf_.size();
      }
      if (!q || q == end) {
        whole = false;
        break;
      }
      const bool spaced = blank(*q);
      p = q;
      fields++;
      while (blank(*p)) p++;
      if (*p == '\n') break;
      if (static_cast<unsigned char>(*p) == comment || p == end || (spaceOnly_ ? !spaced : *p != sep)) {
        whole = false;
        break;
      }
      if (!spaceOnly_) p++, afterSep = true;
    }
    if (whole && fields > 0 && cols_ >= 0 && fields != cols_) whole = false;
    if (!whole) {
      out_n_ = out0, r_.index.resize(index0);  // the row's values and index points dropped
      return done;
    }
    out_n_ = n, untilIndex_ = until;
    r_.count += fields, lineValues_ += fields;
    if (fields > 0) {
      if (cols_ == -1) cols_ = fields, r_.firstRowLine = line_;
      r_.rows++;
    }
    pos_ = static_cast<size_t>(p - base);
    NewLine();
    pos_++;
    if (!Flush(false)) return -1;
    if (++done == most) return done;
  }
}

// CSV rows of float64 in the common form (text_row.h), once the first row said the columns: a row that is
// not, or one where an index point falls, is left to FastRows. Returns the rows read, or -1 when the copy
// cannot be written.
int64_t Parser::CsvRows() {
  const char* const base = buf_.data();
  const char* const limit = base + lim_ - kMargin;
  const char sep = items_[1];
  const size_t bytes = static_cast<size_t>(cols_) * 8;
  int64_t done = 0;
  for (; cols_ > 0 && untilIndex_ > cols_; done++) {
    const char* const p = base + pos_;
    if (p > limit) break;
    if (out_n_ + bytes > out_buf_.size()) out_buf_.resize(2 * out_buf_.size() + bytes);
    const char* const nl = CsvRowF8(p, limit, sep, cols_, out_buf_.data() + out_n_);
    if (!nl) break;
    out_n_ += bytes, untilIndex_ -= cols_;
    r_.count += cols_, lineValues_ += cols_, r_.rows++;
    pos_ = static_cast<size_t>(nl - base);
    NewLine();
    pos_++;
    if (!Flush(false)) return -1;
  }
  return done;
}

}  // namespace textparse
}  // namespace arrayscope
