// A large text parsed in segments on several threads. The text is cut into segments of a few MiB, each ending
// after a newline (found when the segment is taken: the first newline at or after its nominal end); the
// threads take them in order (one lock, held only to find that newline and to count), each parses its
// segment into memory, and a segment's values are written at their place in the copy as soon as the value
// counts of every segment before it are known — no second file, no join at the end. A thread that gets far
// ahead of the writes waits (memory stays a few segments a thread). Line numbers, rows, columns and the index
// are joined as one pass would have them: a segment counts its lines from 1, the lines of those before it
// are added; errors are the first in the text (segments before a failed one always end). Only where a
// newline is a boundary numpy's parse also has: rows (np.loadtxt), or numpy.fromfile with a whitespace
// separator. ARRAYSCOPE_TEXT_SPLIT_MB (default 32) is the size from which a text is split (0: always),
// ARRAYSCOPE_TEXT_SEGMENT_KB (default 1024; fractions allowed) the segments' size (tests make it small).
#ifdef _WIN32
#include <io.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
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

int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::atoll(v) : fallback;
}

// The message of a segment's error with its line numbered in the whole file.
std::string Shifted(const TextResult& r, int64_t lineBase) {
  const std::string prefix = "line " + std::to_string(r.errLine);
  if (r.message.compare(0, prefix.size(), prefix) != 0) return r.message;
  return "line " + std::to_string(r.errLine + lineBase) + r.message.substr(prefix.size());
}

struct Segment {
  int64_t begin = 0, end = 0;
  TextResult r;
  bool done = false;     // parsed (or failed)
  bool written = false;  // its values are in the copy
  int64_t at = 0;        // its first value's index in the copy, once the segments before it are counted
};

class Split {
 public:
  Split(const TextSpec& spec, TextStatus& status, int64_t size, int64_t segment)
      : s_(spec), st_(status), size_(size), seg_(segment), item_(TextItemSize(spec.elem)) {}

  TextResult Run(int threads) {
    in_ = std::fopen(s_.path.c_str(), "rb");
    if (!in_) return Error("EIO", "cannot open " + s_.path + ": " + std::strerror(errno));
#ifdef _WIN32
    out_ = std::fopen(s_.out.c_str(), "r+b");
    const bool opened = out_ != nullptr;
#else
    fd_ = open(s_.out.c_str(), O_WRONLY);
    const bool opened = fd_ >= 0;
#endif
    if (!opened) {
      std::fclose(in_);
      return Error("EIO", "cannot write the copy " + s_.out + ": " + std::strerror(errno));
    }
    next_ = s_.start;
    // segments add theirs: the byte reached, as one pass says it
    st_.bytes.store(s_.start, std::memory_order_relaxed);
    limit_ = static_cast<size_t>(3 * threads);
    std::vector<std::thread> more;
    // the new threads inherit this one's lowered priority
    for (int t = 1; t < threads; t++) more.emplace_back([this] { Work(); });
    Work();
    for (std::thread& t : more) t.join();
    std::fclose(in_);
#ifdef _WIN32
    std::fclose(out_);
#else
    close(fd_);
#endif
    return Join();
  }

 private:
  static TextResult Error(const char* code, const std::string& message) {
    TextResult r;
    r.code = code;
    r.message = message;
    return r;
  }

  // The byte after the first newline at or after from, or the file's end. Under mu_ (in_ is shared).
  int64_t LineAfter(int64_t from) {
    if (from >= size_) return size_;
    if (std::fseek(in_, static_cast<long>(from), SEEK_SET) != 0) return size_;
    char buf[1 << 14];
    int64_t at = from;
    for (;;) {
      const size_t got = std::fread(buf, 1, sizeof buf, in_);
      if (got == 0) return size_;
      const void* nl = std::memchr(buf, '\n', got);
      if (nl) return at + (static_cast<const char*>(nl) - buf) + 1;
      at += static_cast<int64_t>(got);
    }
  }

  // The byte after `lines` newlines from `from` (the header lines segment 0 skips), or the file's end.
  int64_t AfterLines(int64_t from, int64_t lines) {
    for (int64_t k = 0; k < lines && from < size_; k++) from = LineAfter(from);
    return from;
  }

  // Takes the next segment (its index in k), or null when there is none left (or a segment failed).
  Segment* Take(int64_t* k) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return failed_ || segs_.size() - written_ < limit_; });
    if (failed_ || next_ >= size_ || st_.cancel.load(std::memory_order_relaxed)) return nullptr;
    *k = static_cast<int64_t>(segs_.size());
    int64_t from = next_ + seg_ - 1;
    if (*k == 0) from = std::max(from, AfterLines(next_, s_.skip) - 1);  // the header stays in segment 0
    segs_.emplace_back();
    Segment& g = segs_.back();
    g.begin = next_;
    g.end = LineAfter(std::max(from, next_));
    next_ = g.end;
    if (!pool_.empty()) {
      g.r.bytes = std::move(pool_.back());
      pool_.pop_back();
    }
    return &g;  // a deque's elements stay where they are as it grows
  }

  bool WriteAt(const uint8_t* bytes, size_t size, int64_t offset) {
#ifdef _WIN32
    std::lock_guard<std::mutex> lock(writeMu_);
    return size == 0 || (_fseeki64(out_, offset, SEEK_SET) == 0 &&
                         std::fwrite(bytes, 1, size, out_) == size && std::fflush(out_) == 0);
#else
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pwrite(fd_, bytes + done, size - done, offset + static_cast<int64_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
#endif
  }

  void Work() {
    std::vector<char> buf;  // the read buffer, kept from one segment to the next
    for (;;) {
      int64_t k = 0;
      Segment* const taken = Take(&k);
      if (!taken) return;
      Segment& g = *taken;
      TextSpec p = s_;
      p.start = g.begin;
      p.end = g.end;
      p.more = g.end < size_;
      p.second = k > 0;
      p.segment = true;
      p.out.clear();
      if (k > 0) p.startLine = 1, p.skip = 0;
      ParseTextPart(p, st_, g.r, &buf);
      // count: the segments whose offsets are now known get them, and this thread writes them
      std::vector<Segment*> ready;
      {
        std::lock_guard<std::mutex> lock(mu_);
        g.done = true;
        if (!g.r.code.empty()) failed_ = true;
        // the segments before a failed one are counted and written all the same, and the failed one's rows
        // before its error too: the copy keeps every row before the first error, as one pass keeps them
        while (counted_ < segs_.size() && segs_[counted_].done && !stopped_) {
          Segment& c = segs_[counted_];
          // a segment whose rows have another width than those before it: the pass ends there (Join says
          // where); the copy is not written past the rows known good
          if (s_.table && c.r.rows > 0 && cols_ >= 0 && c.r.cols != cols_) {
            failed_ = stopped_ = true;
            break;
          }
          if (s_.table && c.r.rows > 0 && cols_ < 0) cols_ = c.r.cols;
          c.at = values_;
          values_ += c.r.count;
          ready.push_back(&c);
          counted_++;
          if (!c.r.code.empty()) stopped_ = true;
        }
      }
      bool ok = true;
      for (Segment* c : ready) {
        // the segment's values: its buffer's first count × item bytes
        const size_t size = static_cast<size_t>(c->r.count * item_);
        ok = ok && WriteAt(c->r.bytes.data(), size, s_.outOffset + c->at * item_);
      }
      std::lock_guard<std::mutex> lock(mu_);
      if (!ok && writeError_.empty()) {
        writeError_ = "cannot write the copy " + s_.out + ": " + std::strerror(errno);
        failed_ = stopped_ = true;
      }
      for (Segment* c : ready) {
        c->written = true;
        pool_.push_back(std::move(c->r.bytes));
        c->r.bytes = {};
      }
      // what a window may read: the values and rows of the segments written, from the first on
      while (written_ < segs_.size() && segs_[written_].written) {
        writtenValues_ += segs_[written_].r.count;
        writtenRows_ += segs_[written_].r.rows;
        written_++;
      }
      if (s_.table) {
        st_.cols.store(cols_, std::memory_order_release);
        st_.rows.store(writtenRows_, std::memory_order_release);
      }
      st_.written.store(writtenValues_, std::memory_order_release);
      cv_.notify_all();
    }
  }

  // The segments' results as one pass's: the first error in the text, else the counts, lines and index.
  TextResult Join() {
    TextResult r;
    int64_t lineBase = 0;
    for (Segment& g : segs_) {
      const TextResult& x = g.r;
      if (s_.table && x.cols >= 0 && r.cols >= 0 && x.cols != r.cols) {
        return Error("ERAGGED", "line " + std::to_string(x.firstRowLine + lineBase) + " has " +
                                    std::to_string(x.cols) + " values, the rows before it have " +
                                    std::to_string(r.cols) + " (np.loadtxt: the number of columns changed)");
      }
      if (!x.code.empty()) {
        TextResult e = Error(x.code.c_str(), Shifted(x, lineBase));
        return e;
      }
      if (s_.table) {
        if (x.rows > 0 && r.cols < 0) r.cols = x.cols, r.firstRowLine = x.firstRowLine + lineBase;
      } else if (x.rows > 0) {
        r.cols = r.rows == 0 ? x.cols : r.cols == x.cols ? r.cols : -1;
        if (r.rows == 0) r.firstRowLine = x.firstRowLine + lineBase;
      }
      for (TextIndexPoint q : x.index) r.index.push_back({q.value + r.count, q.offset, q.line + lineBase});
      r.count += x.count;
      r.rows += x.rows;
      // a segment's line 1 is the last line of the one before (the one after its last newline)
      r.lines = x.lines + lineBase;
      lineBase = r.lines - 1;
    }
    if (!writeError_.empty()) return Error("EIO", writeError_);
    if (st_.cancel.load()) return Error("ECANCELLED", "reading the text was cancelled");
    if (!s_.table && r.count == 0)
      return Error("EPARSE", "the file holds only whitespace: numpy.fromfile refuses it");
    st_.cols.store(r.cols, std::memory_order_release);
    st_.rows.store(r.rows, std::memory_order_release);
    st_.written.store(r.count, std::memory_order_release);
    return r;
  }

  const TextSpec& s_;
  TextStatus& st_;
  const int64_t size_, seg_;
  const int item_;
  std::FILE* in_ = nullptr;
#ifdef _WIN32
  std::FILE* out_ = nullptr;
  std::mutex writeMu_;
#else
  int fd_ = -1;
#endif
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Segment> segs_;
  std::vector<std::vector<uint8_t>> pool_;  // written segments' value buffers, reused (their capacity kept)
  size_t limit_ = 6;                        // segments taken and not yet written, at most
  int64_t next_ = 0;                        // where the next segment starts
  bool failed_ = false;                     // a segment failed: none is taken any more
  bool stopped_ = false;                    // the segments after a failed one are not written
  size_t counted_ = 0, written_ = 0;  // segments [0, counted_) have their place; [0, written_) are written
  int64_t values_ = 0, cols_ = -1, writtenValues_ = 0, writtenRows_ = 0;
  std::string writeError_;
};

}  // namespace

TextResult ParseTextFile(const TextSpec& spec, TextStatus& status) {
  const int64_t threshold = EnvInt("ARRAYSCOPE_TEXT_SPLIT_MB", 32) << 20;
  // a fraction of a KiB too: tests cut texts of a few hundred bytes into many segments
  const char* kb = std::getenv("ARRAYSCOPE_TEXT_SEGMENT_KB");
  const double kib = kb && *kb ? std::atof(kb) : 1024;
  const int64_t segment = std::max<int64_t>(1, static_cast<int64_t>(kib * 1024));
  const int64_t size = FileSize(spec.path);
  const int threads = static_cast<int>(std::min(4u, std::thread::hardware_concurrency()));
  const bool splittable = !spec.out.empty() && spec.maxValues < 0 && spec.end < 0 &&
                          (spec.table || SpaceOnly(spec.sep)) &&
                          size - spec.start >= std::max<int64_t>(threshold, 2) && threads >= 2;
  if (!splittable) return ParseTextPart(spec, status);
  Split split(spec, status, size, segment);
  return split.Run(threads);
}

}  // namespace arrayscope
