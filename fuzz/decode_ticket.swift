// libFuzzer harness for the ticket decoder (json-c + our pre-scan and checks). Linked by
// scripts/fuzz.sh against a fuzzer-instrumented build of TriageCore.
import TriageCore

/// Any bytes must decode to a ticket or a TicketDecodingError, never crash; and a decoded
/// ticket's object must serialise and parse back to itself (pass-through is lossless).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecodeTicket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let decoder = TicketDecoder(maxBytes: 4096, maxDepth: 16)
    let result = Result { () throws(TicketDecodingError) in try decoder.decode(bytes) }
    if case .success(let ticket) = result {
        precondition(!ticket.id.isEmpty && !ticket.customerID.isEmpty, "a ticket without its id or customer id")
        let round = JSONValue.object(ticket.original).serializedBytes()
        let again = try? JSONParser(maxBytes: 1 << 20, maxDepth: 64).parse(round)
        precondition(again == .object(ticket.original), "the ticket did not survive serialise → parse")
        // The serialised object decodes to the same ticket.
        precondition((try? decoder.decode(round)) == ticket || round.count > 4096, "the re-serialised ticket decodes differently")
    }
    // Deterministic: the same bytes, the same outcome.
    let second = Result { () throws(TicketDecodingError) in try decoder.decode(bytes) }
    precondition(result == second, "decode is not deterministic")
    return 0
}
