import Foundation
import Logging
import Observability
import Synchronization
import Testing

/// Collects the lines a handler writes.
final class LineSink: Sendable {
    private let bytes = Mutex<[UInt8]>([])
    func append(_ line: [UInt8]) { bytes.withLock { $0 += line } }
    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
    var lines: [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
}

@Suite("JSON log handler")
struct JSONLogHandlerTests {
    private func logger(_ sink: LineSink, label: String = "triage.test") -> Logger {
        Logger(label: label) { label in
            var handler = JSONLogHandler(label: label, sink: { sink.append($0) })
            handler.logLevel = .debug
            return handler
        }
    }

    private func object(_ line: String) throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(parsed as? [String: Any], "not an object: \(line)")
    }

    @Test("one JSON object per line with time, level, logger, message and metadata")
    func fields() throws {
        let sink = LineSink()
        var log = logger(sink)
        log[metadataKey: "worker"] = "w1"
        log.info("partitions assigned", metadata: ["partitions": "[tickets[0]]", "count": .stringConvertible(3)])
        log.warning("second")
        let lines = sink.lines
        #expect(lines.count == 3 && lines[2].isEmpty, "two lines, each ending in a newline")
        let first = try object(lines[0])
        #expect(first["level"] as? String == "info")
        #expect(first["logger"] as? String == "triage.test")
        #expect(first["message"] as? String == "partitions assigned")
        let metadata = try #require(first["metadata"] as? [String: Any])
        #expect(metadata["worker"] as? String == "w1")
        #expect(metadata["partitions"] as? String == "[tickets[0]]")
        #expect(metadata["count"] as? String == "3")
        let time = try #require(first["time"] as? String)
        #expect(time.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"#, options: .regularExpression) != nil, "RFC 3339 UTC: \(time)")
        #expect(try object(lines[1])["level"] as? String == "warning")
    }

    @Test("quotes, backslashes, newlines, control characters and non-ASCII are escaped into valid JSON",
          arguments: ["say \"hi\"", #"C:\path\to"#, "two\nlines\r\n", "tab\there", "bell\u{07}nul\u{00}esc\u{1B}del\u{7F}",
                      "ünïcödé → 🎫", "}\"{,\"level\":\"fake\""])
    func escaping(_ message: String) throws {
        let sink = LineSink()
        logger(sink).error("\(message)", metadata: ["key \"q\"": "\(message)", "nested": ["a": ["\(message)", "x"]]])
        let lines = sink.lines
        #expect(lines.count == 2, "exactly one line, whatever the message holds: \(sink.text)")
        let parsed = try object(lines[0])
        #expect(parsed["message"] as? String == message)
        #expect(parsed["level"] as? String == "error")
        let metadata = try #require(parsed["metadata"] as? [String: Any])
        #expect(metadata["key \"q\""] as? String == message)
        let nested = try #require(metadata["nested"] as? [String: Any])
        #expect(nested["a"] as? [String] == [message, "x"])
    }

    @Test("below the handler's level nothing is written")
    func level() {
        let sink = LineSink()
        var log = Logger(label: "x") { label in JSONLogHandler(label: label, sink: { sink.append($0) }) }
        log.logLevel = .warning
        log.info("quiet")
        log.debug("quieter")
        #expect(sink.text.isEmpty)
    }

    @Test("each log call writes one whole line, from many threads at once")
    func concurrent() async throws {
        let sink = LineSink()
        let log = logger(sink)
        await withTaskGroup(of: Void.self) { group in
            for t in 0..<8 {
                group.addTask { for i in 0..<200 { log.info("thread \(t) line \(i) \(String(repeating: "x", count: 100))") } }
            }
        }
        let lines = sink.lines.dropLast()
        #expect(lines.count == 1_600)
        for line in lines { _ = try object(line) }
    }
}
