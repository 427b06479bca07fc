import Foundation
import Testing
@testable import TriageModel

@Suite struct DatasetTests {
    @Test func csvWithQuotesCommasAndNewlines() throws {
        let path = temporaryPath("data.csv")
        try "text,category\n\"Hello, \"\"world\"\"\",greet\r\n\"two\nlines\",multi\nplain,simple\n".write(toFile: path, atomically: true, encoding: .utf8)
        let rows = try Dataset.load(path: path)
        #expect(rows == [
            LabeledText(text: "Hello, \"world\"", label: "greet"),
            LabeledText(text: "two\nlines", label: "multi"),
            LabeledText(text: "plain", label: "simple"),
        ])
    }

    @Test func jsonlWithCustomColumns() throws {
        let path = temporaryPath("data.jsonl")
        try "{\"body\":\"card lost\",\"queue\":\"cards\",\"id\":7}\n\n{\"body\":\"é \\\"quoted\\\"\",\"queue\":\"other\"}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let rows = try Dataset.load(path: path, textColumn: "body", labelColumn: "queue")
        #expect(rows.map(\.text) == ["card lost", "é \"quoted\""])
    }

    @Test func jsonlNestedAttributesAreKeptAsColumns() throws {
        let path = temporaryPath("nested.jsonl")
        try "{\"text\":\"hi\",\"channel\":\"chat\",\"attributes\":{\"region\":\"eu\",\"tier\":2,\"deep\":{\"x\":1}}}\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let rows = try Dataset.readRecords(path: path)
        #expect(rows == [["text": "hi", "channel": "chat", "attributes.region": "eu", "attributes.tier": "2"]])
    }

    @Test func missingColumnAndFileAreNamed() throws {
        let path = temporaryPath("bad.csv")
        try "body,queue\nx,y\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect { try Dataset.load(path: path) } throws: { error in
            guard let e = error as? ModelError else { return false }
            return e.code == .missingColumn && e.message.contains("\"text\"") && e.message.contains(path)
        }
        #expect { try Dataset.load(path: "/nonexistent/tickets.csv") } throws: { error in
            (error as? ModelError)?.code == .fileNotFound
        }
        let empty = temporaryPath("empty.csv")
        try "text,category\n".write(toFile: empty, atomically: true, encoding: .utf8)
        #expect { try Dataset.load(path: empty) } throws: { error in (error as? ModelError)?.code == .emptyData }
    }
}

func temporaryPath(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-model-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("\(UUID().uuidString)-\(name)").path
}
