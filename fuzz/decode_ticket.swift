// libFuzzer harness for the ticket decoder (its fast path, TicketScanner, and its tree path:
// json-c + our pre-scan and checks). Linked by scripts/fuzz.sh against a fuzzer-instrumented
// build of TriageCore (built with -enable-testing, so the two paths can be called apart).
@testable import TriageCore

/// Any bytes must decode to a ticket or a TicketDecodingError, never crash; whatever the fast
/// path decodes, the tree path decodes to the same ticket; and decoding is deterministic.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecodeTicket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let decoder = TicketDecoder(maxBytes: 4096, maxDepth: 16)
    let result = Result { () throws(TicketDecodingError) in try decoder.decode(bytes) }
    if case .success(let ticket) = result {
        precondition(!ticket.id.isEmpty && !ticket.customerID.isEmpty, "a ticket without its id or customer id")
    }
    if size <= 4096, UTF8Validator.firstInvalidOffset(bytes) == nil, let fast = TicketScanner.decode(bytes, maxDepth: 16) {
        let tree = Result { () throws(TicketDecodingError) in try decoder.decodeByTree(bytes) }
        precondition(tree == .success(fast), "the fast path decoded differently from the tree path: \(tree)")
    }
    // Deterministic: the same bytes, the same outcome.
    let second = Result { () throws(TicketDecodingError) in try decoder.decode(bytes) }
    precondition(result == second, "decode is not deterministic")
    return 0
}
