#if canImport(Glibc)
import Glibc
#endif

/// Hands the memory the process has freed back to the system, every `intervalMicros`.
///
/// glibc keeps freed memory for reuse: after a burst (the consumer's prefetch filling while the
/// pipeline waits on the cluster, thousands of writes in flight) the resident size stays at its
/// high-water mark even once that memory is free, and it climbs with every new burst as the
/// free chunks of one arena are not reused by another thread. `malloc_trim(0)` returns the
/// free pages of every arena. It runs on the pipeline thread between batches; its time is in
/// the metrics (`triage_memory_trim_seconds`). A no-op where the C library has no such call.
struct MemoryTrim {
    let intervalMicros: UInt64
    private var last: UInt64

    /// glibc's `malloc_trim` (declared in malloc.h, which Swift's Glibc module leaves out), looked
    /// up once; nil on a C library without it.
    private typealias Trim = @convention(c) (Int) -> Int32
    nonisolated(unsafe) private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    init(intervalMicros: UInt64, now: UInt64 = MonotonicClock.nowMicros()) {
        self.intervalMicros = intervalMicros
        last = now
    }

    /// Trims when the interval has passed; returns the nanoseconds it took, or nil when not due.
    mutating func ifDue(now: UInt64 = MonotonicClock.nowMicros()) -> UInt64? {
        guard intervalMicros > 0, now - last >= intervalMicros, let trim = Self.trim else { return nil }
        last = now
        let started = MonotonicClock.nowNanos()
        _ = trim(0)
        return MonotonicClock.nowNanos() - started
    }
}
