#include "pass.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "guard.h"

#ifndef _WIN32
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#ifdef __linux__
#include <sys/sysmacros.h>
#endif
#include <unistd.h>
#endif

namespace arrayscope {
namespace {

int64_t PageSize() {
#ifndef _WIN32
  static const int64_t page = sysconf(_SC_PAGESIZE);
  return page;
#else
  return 4096;
#endif
}

int64_t PhysicalMemory() {
#ifndef _WIN32
  return static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * PageSize();
#else
  return int64_t{1} << 40;
#endif
}

// The most one readahead request reads: the kernel caps a WILLNEED request at the device's readahead window
// (max of read_ahead_kb and the largest I/O), reading only the start of anything larger. The window is
// read_ahead_kb of the file's backing device (/sys/class/bdi/MAJOR:MINOR), 128 KiB (the kernel's default)
// when it cannot be read.
int64_t ReadaheadPiece(int fd) {
  int64_t kb = 128;
#ifdef __linux__
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0) {
    const std::string path = "/sys/class/bdi/" + std::to_string(major(st.st_dev)) + ":" +
                             std::to_string(minor(st.st_dev)) + "/read_ahead_kb";
    if (FILE* f = std::fopen(path.c_str(), "r")) {
      long long v = 0;
      if (std::fscanf(f, "%lld", &v) == 1 && v > 0) kb = v;
      std::fclose(f);
    }
  }
#else
  (void)fd;
#endif
  return std::min<int64_t>(std::max<int64_t>(kb, 16), 16 << 10) << 10;
}

int64_t FileSizeNow(int fd) {
#ifndef _WIN32
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
#else
  (void)fd;
  return -1;
#endif
}

// Calls f(first, end) for the runs of pages of [a, b) (page-aligned a) that mincore's vec says were not in
// memory.
template <typename F>
void ForEachMissing(const std::vector<unsigned char>& vec, int64_t a, int64_t b, F&& f) {
  const int64_t page = PageSize();
  size_t i = 0;
  while (i < vec.size()) {
    if (vec[i] & 1) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < vec.size() && !(vec[j] & 1)) ++j;
    f(a + static_cast<int64_t>(i) * page, std::min(b, a + static_cast<int64_t>(j) * page));
    i = j;
  }
}

}  // namespace

ReadaheadSettings CurrentReadahead() {
  ReadaheadSettings s{int64_t{64} << 20, ReadaheadSettings::Drop::kAuto};
  if (const char* mb = std::getenv("ARRAYSCOPE_READAHEAD_MB")) {
    const long long v = std::atoll(mb);
    if (v >= 0) s.aheadBytes = static_cast<int64_t>(v) << 20;
  }
  if (const char* d = std::getenv("ARRAYSCOPE_DROP_BEHIND")) {
    const std::string v = d;
    if (v == "always")
      s.drop = ReadaheadSettings::Drop::kAlways;
    else if (v == "never")
      s.drop = ReadaheadSettings::Drop::kNever;
  }
  return s;
}

#if defined(SEEK_DATA) && defined(SEEK_HOLE)
// The first run of data at or after byte a, [first, end) (first = INT64_MAX when there is none), from what
// known holds or from lseek, whose answers known then holds. An lseek that fails otherwise says data from a.
// limit: a gated pass's gate (ScanState::ready), read before asking: past it the file's holes are parts still
// to be written, so what is remembered of a hole stops there.
static ByteRange NextData(int fd, int64_t a, HoleSpan& known, int64_t limit) {
  if (a >= known.holeFrom && a < known.holeTo) a = known.holeTo;  // no data before holeTo
  if (a == INT64_MAX) return {a, a};
  if (a >= known.dataFrom && a < known.dataTo) return {a, known.dataTo};
  const off_t d = lseek(fd, a, SEEK_DATA);
  if (d < 0) {
    if (errno != ENXIO) return {a, INT64_MAX};
    known.holeFrom = a, known.holeTo = limit;  // no data after a (up to the gate)
    return {INT64_MAX, INT64_MAX};
  }
  const off_t h = lseek(fd, d, SEEK_HOLE);
  known = {a, std::min<int64_t>(d, limit), d, h < 0 ? INT64_MAX : static_cast<int64_t>(h)};
  return {known.dataFrom, known.dataTo};
}
#endif

// Calls f(first, end) for the parts of [a, b) the file has data for (mode r: a sparse file's holes read as
// zeros without any I/O, and asking for them would only fill memory with zero pages); all of it otherwise.
template <typename F>
void Prefetcher::ForEachData(int64_t a, int64_t b, F&& f) const {
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
  if (map_.readOnly && map_.fd >= 0) {
    while (a < b) {
      const ByteRange d = NextData(map_.fd, a, known_, Limit());
      if (d.first >= b) return;  // a hole to b
      const int64_t e = std::min(b, d.end);
      f(d.first, e);
      a = e;
    }
    return;
  }
#endif
  f(a, b);
}

void BackgroundPriority() {
#ifdef __linux__
  // this thread only (a thread id names one thread to setpriority on Linux); raising nice needs no privilege
  const id_t self = static_cast<id_t>(syscall(SYS_gettid));
  errno = 0;
  const int now = getpriority(PRIO_PROCESS, self);
  if (errno == 0) setpriority(PRIO_PROCESS, self, std::min(19, now + kPassNice));
#endif
}

Prefetcher::Prefetcher(const MapInfo& map, bool drop)
    : map_(map), drop_(drop), piece_(ReadaheadPiece(map.fd)) {}

int64_t Prefetcher::Issue(const std::vector<ByteRange>& ranges) {
  InFlight f;
  const int64_t page = PageSize();
  for (const ByteRange& r : ranges) {
    const int64_t a = std::max<int64_t>(0, r.first - r.first % page);
    const int64_t b = std::min(map_.size, r.end);
    if (b <= a) continue;
    f.bytes += b - a;
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
    if (map_.readOnly && map_.fd >= 0) {
      int64_t at = a;
      ForEachData(a, b, [&](int64_t d0, int64_t d1) {
        if (d0 > at) f.holes.push_back({at, d0});
        at = d1;
      });
      if (at < b) f.holes.push_back({at, b});
    }
#endif
    // a range all in a hole (known from the last lseek, mostly) needs nothing: not even mincore, which walks
    // the page cache page by page where nothing is mapped (a third of a sparse file's tile time)
    if (Hole(a, b)) continue;
    f.pages.push_back({a, b});
#ifndef _WIN32
    // Only the pages not in memory are asked for: on a warm file, readahead requests for resident pages would
    // cost the pass several percent for nothing (mincore is a cheap page-table walk once the pass's own
    // mapping has touched them).
    uint8_t* p = const_cast<uint8_t*>(map_.data) + a;
    std::vector<unsigned char> vec(static_cast<size_t>((b - a + page - 1) / page));
    if (mincore(p, static_cast<size_t>(b - a), vec.data()) != 0) std::fill(vec.begin(), vec.end(), 0);
    ForEachMissing(vec, a, b, [&](int64_t x, int64_t y) {
      ForEachData(x, y, [&](int64_t d0, int64_t d1) {
        for (int64_t at = d0; at < d1; at += piece_) {
          madvise(const_cast<uint8_t*>(map_.data) + at, static_cast<size_t>(std::min(piece_, d1 - at)),
                  MADV_WILLNEED);
        }
      });
    });
    if (drop_) f.resident.push_back(std::move(vec));
#endif
  }
  const int64_t bytes = f.bytes;
  flight_.push_back(std::move(f));
  return bytes;
}

int64_t Prefetcher::Retire() {
  if (flight_.empty()) return 0;
  InFlight f = std::move(flight_.front());
  flight_.pop_front();
#ifndef _WIN32
  const int64_t page = PageSize();
  for (const ByteRange& h : f.holes) {
    // whole pages inside the hole only (data may share its first or last page)
    const int64_t a = (h.first + page - 1) / page * page;
    const int64_t b = h.end >= map_.size ? map_.size : h.end / page * page;
    if (b <= a) continue;
    madvise(const_cast<uint8_t*>(map_.data) + a, static_cast<size_t>(b - a), MADV_DONTNEED);
    posix_fadvise(map_.fd, a, b - a, POSIX_FADV_DONTNEED);
  }
  if (drop_) {
    for (size_t r = 0; r < f.pages.size(); ++r) {
      ForEachMissing(f.resident[r], f.pages[r].first, f.pages[r].end, [&](int64_t a, int64_t b) {
        // mode r only: the mapping's pages are the file's, so nothing can be lost
        madvise(const_cast<uint8_t*>(map_.data) + a, static_cast<size_t>(b - a), MADV_DONTNEED);
        posix_fadvise(map_.fd, a, b - a, POSIX_FADV_DONTNEED);
      });
    }
  }
#endif
  return f.bytes;
}

bool InHole(const MapInfo& map, int64_t first, int64_t end, HoleSpan* known, int64_t limit) {
#if defined(SEEK_DATA) && defined(SEEK_HOLE)
  if (!map.readOnly || map.fd < 0 || end <= first) return false;
  HoleSpan once;
  return NextData(map.fd, first, known ? *known : once, limit).first >= end;
#else
  (void)map;
  (void)first;
  (void)end;
  (void)known;
  (void)limit;
  return false;
#endif
}

bool Prefetcher::Hole(int64_t first, int64_t end) const { return InHole(map_, first, end, &known_, Limit()); }

bool ShouldDropBehind(const MapInfo& map, int64_t extent) {
  const ReadaheadSettings s = CurrentReadahead();
  if (!map.readOnly || map.fd < 0 || s.drop == ReadaheadSettings::Drop::kNever) return false;
  return s.drop == ReadaheadSettings::Drop::kAlways || extent > PhysicalMemory() / 2;
}

void RunPass(const MapInfo& map, ScanState& state, const PassPlan& plan,
             const std::function<bool(int64_t k, int thread)>& body) {
  const int64_t chunks = plan.chunks;
  if (chunks <= 0) return;
  const ReadaheadSettings settings = CurrentReadahead();

  std::vector<std::atomic<bool>> finished(static_cast<size_t>(chunks));
  std::atomic<int64_t> next{0};
  // Chunks [0, issued) have been asked for. A worker starts a chunk only once it is: the mapping is advised
  // MADV_RANDOM, so a page touched before its readahead request would be read on its own (4 KiB at a time),
  // and a CPU-heavy pass that keeps pace with the disk would fall into that and crawl.
  std::atomic<int64_t> issued{0};
  std::atomic<bool> stop{false};  // a body said the rest is not needed
  std::atomic<int> running{plan.threads};
  std::mutex mu;
  // The readahead thread looks again every millisecond (waking it at every chunk would cost warm passes their
  // speed), at once when a worker waits for it and when the last worker stops.
  std::condition_variable readerCv, workerCv;

  auto fail = [&] {
    state.fault = true;
    state.cancel = true;
  };
  auto halted = [&] {
    return state.cancel.load(std::memory_order_relaxed) || stop.load(std::memory_order_relaxed);
  };

  std::vector<std::thread> pool;
  for (int t = 0; t < plan.threads; ++t) {
    pool.emplace_back([&, t] {
      BackgroundPriority();
      for (;;) {
        if (halted()) break;
        const int64_t k = next.fetch_add(1);
        if (k >= chunks) break;
        if (issued.load(std::memory_order_acquire) <= k) {
          std::unique_lock<std::mutex> lock(mu);
          readerCv.notify_one();
          workerCv.wait(lock, [&] { return issued.load() > k || halted(); });
        }
        bool more = true;
        auto run = [&] { more = body(k, t); };
        if (!Guarded(run)) {
          fail();
          break;
        }
        finished[static_cast<size_t>(k)].store(true, std::memory_order_release);
        if (!more) stop = true;
      }
      if (running.fetch_sub(1) == 1) {
        std::lock_guard<std::mutex> lock(mu);
        readerCv.notify_one();
      }
    });
  }

  // Every file the pass reads: the mapping it runs on and the others (a diff's second file).
  std::vector<PassSource> sources{PassSource{map, plan.ranges, plan.needEnd}};
  sources.insert(sources.end(), plan.more.begin(), plan.more.end());
  auto shrunk = [&] {
    for (const PassSource& src : sources) {
      const int64_t size = FileSizeNow(src.map.fd);
      if (size >= 0 && size < src.needEnd) return true;
    }
    return false;
  };

  // The readahead thread: asks for chunks up to aheadBytes past the oldest unfinished one, retires finished
  // chunks (dropping behind), and checks the files' sizes as it goes.
  std::thread reader([&] {
    std::vector<Prefetcher> ra;
    for (const PassSource& src : sources) ra.emplace_back(src.map, ShouldDropBehind(src.map, src.needEnd));
    for (size_t i = 0; i < ra.size() && i < 2; ++i) ra[i].Gate(&state, static_cast<int>(i));
    std::vector<std::vector<ByteRange>> ranges(sources.size());
    int64_t low = 0, ahead = 0;
    auto lastCheck = std::chrono::steady_clock::now();
    std::vector<ByteRange> lowRanges;
    int64_t told = -1;
    auto retire = [&] {
      while (low < issued.load() && finished[static_cast<size_t>(low)].load(std::memory_order_acquire)) {
        for (Prefetcher& p : ra) ahead -= p.Retire();
        ++low;
      }
      // the oldest unfinished part's first byte, in each file that listens: nothing below it is read again
      // (state.consumed, state.consumedB)
      if (low != told) {
        told = low;
        for (size_t i = 0; i < sources.size() && i < 2; ++i) {
          if (!state.Listens(static_cast<int>(i))) continue;
          int64_t at = INT64_MAX;
          if (low < chunks) {
            sources[i].ranges(low, lowRanges);
            for (const ByteRange& r : lowRanges) at = std::min(at, r.first);
          }
          state.Consumed(static_cast<int>(i), at);
        }
      }
    };
    for (;;) {
      retire();
      if (halted() || running.load() == 0) break;
      const auto now = std::chrono::steady_clock::now();
      if (now - lastCheck > std::chrono::milliseconds(20)) {
        lastCheck = now;
        if (shrunk()) {
          fail();
          break;
        }
      }
      bool more = false;
      for (int64_t k = issued.load(); k < chunks && (ahead < settings.aheadBytes || k == low);
           k = issued.load()) {
        // a gated scan: chunk k is handed out only once every byte it reads is written (state.ready; a
        // diff's other file: state.readyB)
        bool waiting = false;
        for (size_t i = 0; i < sources.size(); ++i) {
          sources[i].ranges(k, ranges[i]);
          if (i < 2 && state.Gated(static_cast<int>(i))) {
            int64_t end = 0;
            for (const ByteRange& r : ranges[i]) end = std::max(end, r.end);
            if (end > state.ReadyEnd(static_cast<int>(i))) waiting = true;
          }
        }
        if (waiting) break;
        for (size_t i = 0; i < sources.size(); ++i) ahead += ra[i].Issue(ranges[i]);
        issued.store(k + 1, std::memory_order_release);
        more = true;
      }
      std::unique_lock<std::mutex> lock(mu);
      if (more) workerCv.notify_all();
      readerCv.wait_for(lock, std::chrono::milliseconds(1));
    }
    retire();  // the last chunks' pages, when dropping behind
    std::lock_guard<std::mutex> lock(mu);
    issued.store(chunks);  // no worker waits on a reader that has stopped
    workerCv.notify_all();
  });

  for (auto& th : pool) th.join();
  reader.join();
  // A shrink inside the last page raises no SIGBUS (the page still exists, reading zeros past the new end):
  // only the size tells, so look once more now that every chunk is read.
  if (!state.cancel.load() && shrunk()) fail();
}

}  // namespace arrayscope
