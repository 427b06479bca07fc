import Testing

@testable import TriageCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Decode speed")
struct DecodePerformanceTests {
    @Test("a ~300-byte ticket decodes well under 20 µs (checked in release builds)")
    func speed() throws {
        var generator = SampleTicketGenerator(seed: 5, malformedRate: 0, humanRequestRate: 0.05)
        let samples = generator.next(2_000)
        let decoder = TicketDecoder()
        var checksum = 0
        for sample in samples { checksum &+= try decoder.decode(sample.bytes).body.utf8.count }  // warm up

        let rounds = 10
        let start = ContinuousClock.now
        for _ in 0..<rounds {
            for sample in samples { checksum &+= try decoder.decode(sample.bytes).body.utf8.count }
        }
        let elapsed = ContinuousClock.now - start
        let perTicket = elapsed / (rounds * samples.count)
        let averageBytes = samples.map(\.bytes.count).reduce(0, +) / samples.count
        print("decode: \(perTicket) per ticket (average \(averageBytes) bytes), checksum \(checksum)")
        #if !DEBUG
        #expect(perTicket < .microseconds(20))
        #endif
    }
}
