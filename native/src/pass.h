// A whole-file pass: the work split into chunks in file order, handed out to worker threads in that order,
// with a readahead thread that keeps the disk busy ahead of them.
//
// Why: the mapping is advised MADV_RANDOM for browsing (a table window must fault in only its own pages),
// which turns the kernel's readahead off, so a pass faulting its pages in one by one ran 20-50x slower than
// `cat` on a cold file. The pass does not change that advice (a window read during a pass stays
// random-access); instead its readahead thread asks for the byte ranges of the next chunks (MADV_WILLNEED) a
// bounded distance ahead of the slowest worker. For a pass over more than half of this machine's memory in
// mode r, pages the pass read in are dropped again behind it (pages that were already in memory before, e.g.
// those the table shows, are kept), so a file larger than memory does not push the user's other work out.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "scan_state.h"
#include "view.h"

namespace arrayscope {

struct MapInfo {
  const uint8_t* data = nullptr;
  int64_t size = 0;  // mapped length
  int fd = -1;       // the mapped file (-1 where there is none to ask)
  // Mode r: the mapping shows the file itself, so its holes may be skipped and pages dropped after use.
  bool readOnly = false;
};

// Another file a pass reads beside the mapping it runs on (a diff reads two).
struct PassSource {
  MapInfo map;
  // The byte ranges of this file chunk k reads; called on the readahead thread only.
  std::function<void(int64_t k, std::vector<ByteRange>& out)> ranges;
  // The file must stay at least this long.
  int64_t needEnd = 0;
};

struct PassPlan {
  int threads = 1;
  int64_t chunks = 0;
  // The byte ranges chunk k reads, in the pass's direction; called on the readahead thread only.
  std::function<void(int64_t k, std::vector<ByteRange>& out)> ranges;
  // The file must stay at least this long; shorter means it was truncated during the pass (a fault).
  int64_t needEnd = 0;
  // Other files read in the same chunks (each with its own readahead).
  std::vector<PassSource> more;
};

// How much lower than the process the pass's worker threads run (nice): a window request, the UI's event loop
// and the renderer come first on a machine whose cores a pass keeps busy (on 2 cores a 32 GiB pass made a
// cached 60×30 window wait up to 10 ms for the CPU at p99).
constexpr int kPassNice = 10;

// Lowers the calling thread's priority by kPassNice (Linux; elsewhere nothing).
void BackgroundPriority();

// Runs body(k, thread) for every chunk k in [0, plan.chunks), each under the SIGBUS guard; chunks are taken
// in order, so the threads move through the file together. Stops handing out chunks when a body returns false
// (the chunks before it are all taken by then) or on state.cancel; a fault (SIGBUS, or the file found shorter
// than needEnd during or after the pass) sets state.fault and state.cancel.
// body must not allocate, throw or take locks (a fault abandons it mid-way).
void RunPass(const MapInfo& map, ScanState& state, const PassPlan& plan,
             const std::function<bool(int64_t k, int thread)>& body);

// What one thread last learnt of the file's holes and data from lseek: no data in [holeFrom, holeTo)
// (SEEK_DATA from holeFrom found the next data at holeTo), data in [dataFrom, dataTo) (SEEK_HOLE from there).
// On a 40 GB sparse file each lseek cost ~0.2 ms, and a pass asks about every row.
struct HoleSpan {
  int64_t holeFrom = 0, holeTo = 0;
  int64_t dataFrom = 0, dataTo = 0;
};

// Reads ahead for one sequential reader: Issue asks for the pages of some ranges that are not in memory yet
// (MADV_WILLNEED), Retire says the oldest issued ranges are consumed and, when dropping behind, drops the
// pages of them that were not in memory before Issue.
class Prefetcher {
 public:
  Prefetcher(const MapInfo& map, bool drop);
  // Returns the bytes the ranges cover.
  int64_t Issue(const std::vector<ByteRange>& ranges);
  // Returns the bytes of the retired ranges (0 when nothing is in flight).
  int64_t Retire();
  bool Empty() const { return flight_.empty(); }
  // Whether bytes [first, end) are all a hole of the file (mode r: they read as zeros with no I/O).
  bool Hole(int64_t first, int64_t end) const;
  // A gated pass (ScanState::ready): holes past the gate are parts not written yet, not remembered as holes.
  void Gate(const ScanState* state, int side) { gate_ = state, side_ = side; }

 private:
  template <typename F>
  void ForEachData(int64_t a, int64_t b, F&& f) const;
  struct InFlight {
    std::vector<ByteRange> pages;  // page-aligned
    std::vector<std::vector<unsigned char>>
        resident;  // per range: mincore before the request (dropping only)
    int64_t bytes = 0;
    // mode r: the parts that are holes of the file (read as zero pages that serve nothing once read: dropped
    // at Retire always, or a scan of a sparse file claiming gigabytes fills memory with zeros)
    std::vector<ByteRange> holes;
  };
  MapInfo map_;
  bool drop_;
  int64_t piece_;  // the largest readahead request the kernel honours whole
  std::deque<InFlight> flight_;
  // what lseek last told (a strided pass asks about many short ranges)
  mutable HoleSpan known_;
  const ScanState* gate_ = nullptr;
  int side_ = 0;
  int64_t Limit() const { return gate_ ? gate_->ReadyEnd(side_) : INT64_MAX; }
};

// Whether bytes [first, end) of the mapped file are all a hole (mode r only; false where that cannot be
// known). With known, a range inside the span last learnt is answered without asking the kernel.
bool InHole(const MapInfo& map, int64_t first, int64_t end, HoleSpan* known = nullptr,
            int64_t limit = INT64_MAX);

// Whether a pass reaching up to byte `extent` drops its pages behind it: in mode r only (nothing can be
// lost), and by default only when the pass covers more than half of physical memory.
bool ShouldDropBehind(const MapInfo& map, int64_t extent);

// Readahead settings, from the environment (read when a pass starts): ARRAYSCOPE_READAHEAD_MB (how far ahead,
// default 64) and ARRAYSCOPE_DROP_BEHIND (auto | always | never).
struct ReadaheadSettings {
  int64_t aheadBytes;
  enum class Drop { kAuto, kAlways, kNever } drop;
};
ReadaheadSettings CurrentReadahead();

}  // namespace arrayscope
