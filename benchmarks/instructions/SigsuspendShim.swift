import Glibc

/// valgrind 3.19 writes into the mask that sigsuspend is given (to keep its own signals
/// deliverable); libdispatch passes a constant mask, so the write faults. Hand on a copy.
@_cdecl("sigsuspend")
public func sigsuspendWithWritableMask(_ mask: UnsafePointer<sigset_t>?) -> Int32 {
    typealias Sigsuspend = @convention(c) (UnsafePointer<sigset_t>?) -> Int32
    guard let next = dlsym(UnsafeMutableRawPointer(bitPattern: -1), "sigsuspend") else { return -1 }
    let real = unsafeBitCast(next, to: Sigsuspend.self)
    guard let mask else { return real(nil) }
    var copy = mask.pointee
    return real(&copy)
}
