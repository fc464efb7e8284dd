// Text arrays (numpy.fromfile(sep=…) and loadtxt-like tables) parsed in one pass into the binary values of a
// dtype: the parser itself, free of Node-API so its rules read on their own (text_index.cc runs it on a
// thread).
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace arrayscope {

// The values' type in the copy: numpy's codes for what fromfile can read as text.
enum class TextElem { B1, I1, U1, I2, U2, I4, U4, I8, U8, F2, F4, F8, C8, C16 };

struct TextSpec {
  std::string path;  // the text file
  std::string out;   // the copy (exists; written from byte outOffset in order); '' keeps the values in memory
  int64_t outOffset =
      0;  // where the values start in out (an .npy written straight from the pass: its header)
  TextElem elem = TextElem::F8;
  bool swap = false;   // write the values in non-native byte order ('>f8' on a little-endian machine)
  std::string sep;     // numpy's separator; whitespace in it matches any run of whitespace
  bool table = false;  // lines are rows (loadtxt): a newline ends a row, every row the same number of values
  int64_t skip = 0;    // lines skipped at the start (a header)
  std::string comments;    // table mode: a line's text from this string on is ignored ('' none)
  int64_t every = 65536;   // one index point per this many values
  int64_t maxValues = -1;  // stop after this many values (-1: all); the first window's parse
  int64_t start = 0;       // byte where parsing starts (an index point), with startLine its line
  int64_t startLine = 1;
  // a segment of a split pass (text_split.cc): the text ends at byte `end` (-1: the file's end) and goes on
  // after it (more); a segment after the first starts after a newline (second); a segment keeps its values
  // in memory, adds the bytes it consumed to status.bytes and leaves written / rows / cols to the splitter,
  // which writes the values in place once the segments before it are counted
  int64_t end = -1;
  bool more = false;
  bool second = false;
  bool segment = false;
};

// Where the pass is, for progress and for a window waiting on it (read from other threads).
struct TextStatus {
  std::atomic<int64_t> bytes{0};    // text bytes consumed
  std::atomic<int64_t> written{0};  // values written to the copy (flushed: a mapping of the copy sees them)
  std::atomic<int64_t> rows{0};     // table rows complete
  std::atomic<int64_t> cols{-1};    // table: values per row, once the first row is read
  std::atomic<bool> cancel{false};
};

struct TextIndexPoint {
  int64_t value;   // the index of the value starting here
  int64_t offset;  // its first byte in the text
  int64_t line;    // its line (1-based)
};

struct TextResult {
  int64_t count = 0;  // values
  int64_t rows = 0;   // table rows (fromfile: lines that hold values)
  int64_t cols = -1;  // values per row (table), or per line when every line has the same number (fromfile)
  int64_t lines = 0;  // lines read
  std::vector<TextIndexPoint> index;
  std::vector<uint8_t> bytes;  // the values, when spec.out is '' (a segment's: its first count × item bytes)
  std::string code;            // '' ok; EPARSE, ERAGGED, EIO, ECANCELLED
  std::string message;
  int64_t errLine = 0;       // the line a parse error names (a split pass shifts a segment's)
  int64_t firstRowLine = 0;  // the line of the first row (table) or of the first line with values
};

// Parses spec.path into spec.out; status is updated as it goes. Large texts are parsed in segments on
// several threads (text_split.cc).
TextResult ParseTextFile(const TextSpec& spec, TextStatus& status);

// One segment (or all) of the text on the calling thread, into result (a segment's result.bytes may bring a
// written segment's buffer to reuse); buf, when given, is the read buffer (a thread's, kept from one segment
// to the next).
void ParseTextPart(const TextSpec& spec, TextStatus& status, TextResult& result,
                   std::vector<char>* buf = nullptr);
TextResult ParseTextPart(const TextSpec& spec, TextStatus& status);

// The size in bytes of one value of elem.
int TextItemSize(TextElem e);

}  // namespace arrayscope
