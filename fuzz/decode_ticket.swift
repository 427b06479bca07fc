// libFuzzer harness for the ticket decoder (json-c + our pre-scan and checks).
// Compiled together with Sources/TriageCore into one module by scripts/fuzz-decode.sh,
// so it names TriageCore's types without an import. Not part of the package build.

/// Any bytes must decode to a ticket or a TicketDecodingError, never crash; and a decoded
/// ticket's object must serialise and parse back to itself (pass-through is lossless).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecodeTicket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let ticket = try? TicketDecoder(maxBytes: 4096, maxDepth: 16).decode(bytes) {
        let round = JSONValue.object(ticket.original).serializedBytes()
        let again = try? JSONParser(maxBytes: 1 << 20, maxDepth: 64).parse(round)
        precondition(again == .object(ticket.original), "the ticket did not survive serialise → parse")
    }
    return 0
}
