// A large text parsed on two threads: split at the first newline past its middle, the first part written into
// the copy in place (what early windows see grow), the second into a file of its own, appended to the copy
// once both ended — line numbers, rows, columns and the index joined as one pass would have them. Only where
// a newline is a boundary numpy's parse also has: rows (np.loadtxt), or numpy.fromfile with a whitespace
// separator. ARRAYSCOPE_TEXT_SPLIT_MB (default 32) is the size from which a text is split (0: always, for
// tests).
#ifdef __linux__
#include <unistd.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "text_parse.h"

namespace arrayscope {
namespace {

bool SpaceOnly(const std::string& sep) {
  for (char c : sep) {
    if (!(c == ' ' || (c >= '\t' && c <= '\r'))) return false;
  }
  return true;
}

int64_t FileSize(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return -1;
  int64_t size = -1;
  if (std::fseek(f, 0, SEEK_END) == 0) size = static_cast<int64_t>(std::ftell(f));
  std::fclose(f);
  return size;
}

// The byte after the first newline at or after from, or -1.
int64_t LineAfter(const std::string& path, int64_t from, int64_t size) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return -1;
  std::vector<char> buf(1 << 16);
  int64_t at = from, found = -1;
  if (std::fseek(f, static_cast<long>(from), SEEK_SET) == 0) {
    while (at < size && found < 0) {
      const size_t got = std::fread(buf.data(), 1, buf.size(), f);
      if (got == 0) break;
      const void* nl = std::memchr(buf.data(), '\n', got);
      if (nl) found = at + (static_cast<const char*>(nl) - buf.data()) + 1;
      at += static_cast<int64_t>(got);
    }
  }
  std::fclose(f);
  return found > 0 && found < size ? found : -1;
}

// Appends the second part's values (its own file) to the copy after the first part's: in the kernel where it
// can (copy_file_range: no pass of the bytes through this process), else through a buffer.
bool Append(const std::string& from, const std::string& to, int64_t offset, std::string* error) {
  std::FILE* in = std::fopen(from.c_str(), "rb");
  std::FILE* out = std::fopen(to.c_str(), "r+b");
  bool ok = in && out && std::fseek(out, static_cast<long>(offset), SEEK_SET) == 0;
#ifdef __linux__
  if (ok) {
    loff_t src = 0, dst = offset;
    for (;;) {
      const ssize_t n = copy_file_range(fileno(in), &src, fileno(out), &dst, 1 << 30, 0);
      if (n <= 0) break;  // the end, or a file system without it: the loop below copies what is left
    }
    ok = std::fseek(in, static_cast<long>(src), SEEK_SET) == 0 &&
         std::fseek(out, static_cast<long>(dst), SEEK_SET) == 0;
  }
#endif
  std::vector<char> buf(4 << 20);
  while (ok) {
    const size_t got = std::fread(buf.data(), 1, buf.size(), in);
    if (got == 0) break;
    ok = std::fwrite(buf.data(), 1, got, out) == got;
  }
  if (out && std::fflush(out) != 0) ok = false;
  if (!ok) *error = std::string("cannot write the copy ") + to + ": " + std::strerror(errno);
  if (in) std::fclose(in);
  if (out) std::fclose(out);
  return ok;
}

// The second part's message with its line numbered in the whole file.
std::string Shifted(const TextResult& r, int64_t lineBase) {
  const std::string prefix = "line " + std::to_string(r.errLine);
  if (r.message.compare(0, prefix.size(), prefix) != 0) return r.message;
  return "line " + std::to_string(r.errLine + lineBase) + r.message.substr(prefix.size());
}

}  // namespace

TextResult ParseTextFile(const TextSpec& spec, TextStatus& status) {
  const char* env = std::getenv("ARRAYSCOPE_TEXT_SPLIT_MB");
  const int64_t threshold = (env ? std::atoll(env) : 32) << 20;
  const int64_t size = FileSize(spec.path);
  const bool splittable =
      !spec.out.empty() && spec.maxValues < 0 && spec.end < 0 && (spec.table || SpaceOnly(spec.sep)) &&
      size - spec.start >= std::max<int64_t>(threshold, 2) && std::thread::hardware_concurrency() >= 2;
  const int64_t split = splittable ? LineAfter(spec.path, spec.start + (size - spec.start) / 2, size) : -1;
  if (split < 0) return ParseTextPart(spec, status);
  TextSpec a = spec;
  a.end = split;
  a.more = true;
  TextSpec b = spec;
  b.start = split;
  b.startLine = 1;
  b.skip = 0;
  b.second = true;
  b.out = spec.out + ".second";
  b.outOffset = 0;
  TextResult rb;
  // the new thread inherits this one's lowered priority
  std::thread second([&] { rb = ParseTextPart(b, status); });
  TextResult ra = ParseTextPart(a, status);
  if (!ra.code.empty()) status.stop = true;
  second.join();
  auto done = [&](TextResult r) {
    std::remove(b.out.c_str());
    return r;
  };
  if (!ra.code.empty()) return done(ra);
  // the second part's line 1 is the first part's last line (the one after its last newline)
  const int64_t lineBase = ra.lines - 1;
  if (!rb.code.empty()) {
    rb.message = Shifted(rb, lineBase);
    return done(rb);
  }
  TextResult r;
  if (spec.table && ra.rows > 0 && rb.rows > 0 && ra.cols != rb.cols) {
    r.code = "ERAGGED";
    r.message = "line " + std::to_string(rb.firstRowLine + lineBase) + " has " + std::to_string(rb.cols) +
                " values, the rows before it have " + std::to_string(ra.cols) +
                " (np.loadtxt: the number of columns changed)";
    return done(r);
  }
  if (!spec.table && ra.count + rb.count == 0) {
    r.code = "EPARSE";
    r.message = "the file holds only whitespace: numpy.fromfile refuses it";
    return done(r);
  }
  std::string error;
  if (!Append(b.out, spec.out, spec.outOffset + ra.count * TextItemSize(spec.elem), &error)) {
    r.code = "EIO";
    r.message = error;
    return done(r);
  }
  r.count = ra.count + rb.count;
  r.rows = ra.rows + rb.rows;
  r.cols = ra.rows == 0 ? rb.cols : rb.rows == 0 ? ra.cols : ra.cols == rb.cols ? ra.cols : -1;
  r.lines = ra.lines + rb.lines - 1;
  r.firstRowLine = ra.rows > 0 ? ra.firstRowLine : rb.firstRowLine + lineBase;
  r.index = ra.index;
  for (TextIndexPoint p : rb.index) r.index.push_back({p.value + ra.count, p.offset, p.line + lineBase});
  status.cols.store(r.cols, std::memory_order_release);
  status.rows.store(r.rows, std::memory_order_release);
  status.written.store(r.count, std::memory_order_release);
  return done(r);
}

}  // namespace arrayscope
