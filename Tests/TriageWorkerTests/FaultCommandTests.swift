import Foundation
import Kafka
import Testing
@testable import TriageOps

@Suite("The dev cluster's fault grammar parses every command and names the bad token and line")
struct FaultCommandTests {
    func parse(_ line: String) throws -> FaultCommand? {
        try FaultCommand.parse(line, location: "line 7")
    }

    @Test("every command, in its canonical spelling and with aliases", arguments: [
        ("broker down 1", FaultCommand.brokerDown(.one(1))),
        ("broker up 3", .brokerUp(.one(3))),
        ("BROKER DOWN all", .brokerDown(.all)),
        ("rtt 2 250", .rtt(.one(2), milliseconds: 250)),
        ("rtt all 0", .rtt(.all, milliseconds: 0)),
        ("errors produce 5 NOT_LEADER_FOR_PARTITION", .requestErrors(.produce, count: 5, error: 6)),
        ("errors fetch 1 NOT_LEADER_FOR_PARTITION", .requestErrors(.fetch, count: 1, error: 6)),
        ("errors commit 2 REBALANCE_IN_PROGRESS", .requestErrors(.offsetCommit, count: 2, error: 27)),
        ("errors offset-commit 2 27", .requestErrors(.offsetCommit, count: 2, error: 27)),
        ("errors join 3 COORDINATOR_NOT_AVAILABLE", .requestErrors(.joinGroup, count: 3, error: 15)),
        ("errors heartbeat 1 ILLEGAL_GENERATION", .requestErrors(.heartbeat, count: 1, error: 22)),
        ("errors sync 1 UNKNOWN_MEMBER_ID", .requestErrors(.syncGroup, count: 1, error: 25)),
        ("errors offset-fetch 1 NOT_COORDINATOR", .requestErrors(.offsetFetch, count: 1, error: 16)),
        ("errors metadata 4 LEADER_NOT_AVAILABLE", .requestErrors(.metadata, count: 4, error: 5)),
        ("errors find-coordinator 1 COORDINATOR_LOAD_IN_PROGRESS", .requestErrors(.findCoordinator, count: 1, error: 14)),
        ("errors init-producer-id 1 err_request_timed_out", .requestErrors(.initProducerID, count: 1, error: 7)),
        ("errors produce 2 MESSAGE_TOO_LARGE", .requestErrors(.produce, count: 2, error: 10)),
        ("errors produce 1 _TRANSPORT", .requestErrors(.produce, count: 1, error: -195)),
        ("errors produce 1 RD_KAFKA_RESP_ERR__TRANSPORT", .requestErrors(.produce, count: 1, error: -195)),
        ("topic error tickets UNKNOWN_TOPIC_OR_PART", .topicError(topic: "tickets", error: 3)),
        ("topic error tickets NO_ERROR", .topicError(topic: "tickets", error: 0)),
        ("leader queue.cards 4 2", .leader(topic: "queue.cards", partition: 4, broker: 2)),
        ("coordinator triage 3", .coordinator(group: "triage", broker: 3)),
        ("clear", .clear),
        ("  \tbroker   down 1   # the leader of most partitions", .brokerDown(.one(1))),
    ])
    func commands(_ line: String, _ expected: FaultCommand) throws {
        let command = try parse(line)
        #expect(command == expected, "\(line)")
        // The canonical spelling parses back to the same command.
        #expect(try parse(expected.description) == expected, "\(expected)")
    }

    @Test("the canonical spelling names errors as librdkafka does")
    func canonical() {
        #expect(FaultCommand.requestErrors(.offsetCommit, count: 2, error: 27).description == "errors commit 2 REBALANCE_IN_PROGRESS")
        #expect(FaultCommand.topicError(topic: "t", error: 0).description == "topic error t NO_ERROR")
        #expect(FaultCommand.rtt(.all, milliseconds: 9).description == "rtt all 9")
    }

    @Test("blank lines and comments are no command", arguments: ["", "   ", "# broker down 1", "\t# note"])
    func nothing(_ line: String) throws {
        #expect(try parse(line) == nil)
    }

    @Test("bad input: the error names the line, the offending token and why", arguments: [
        ("bogus 1", "bogus", "unknown command"),
        ("broker sideways 1", "sideways", "expected down or up"),
        ("broker down", nil, "missing broker id"),
        ("broker down 0", "0", "broker id"),
        ("broker down one", "one", "broker id"),
        ("broker up 1 2", "2", "unexpected text"),
        ("rtt 1", nil, "missing rtt in milliseconds"),
        ("rtt 1 -5", "-5", "rtt in milliseconds must be an integer in 0...600000"),
        ("rtt 1 fast", "fast", "rtt in milliseconds"),
        ("errors produce 5 NOT_A_KAFKA_ERROR", "NOT_A_KAFKA_ERROR", "unknown error name"),
        ("errors produce 5 99999", "99999", "knows no error code 99999"),
        ("errors produce 0 NOT_LEADER_FOR_PARTITION", "0", "error count"),
        ("errors produce 5", nil, "missing error name or code"),
        ("errors teleport 1 NOT_LEADER_FOR_PARTITION", "teleport", "unknown API"),
        ("errors", nil, "missing API name"),
        ("topic tickets UNKNOWN_TOPIC_OR_PART", "tickets", "expected error"),
        ("topic error tickets", nil, "missing error name or code"),
        ("leader tickets -1 1", "-1", "partition"),
        ("leader tickets 0", nil, "missing broker id"),
        ("coordinator triage", nil, "missing broker id"),
        ("clear now", "now", "unexpected text"),
    ] as [(String, String?, String)])
    func badInput(_ line: String, _ token: String?, _ why: String) {
        #expect {
            try FaultCommand.parse(line, location: "line 7")
        } throws: { error in
            guard let error = error as? FaultSyntaxError else { return false }
            let text = error.description
            return error.location == "line 7" && error.token == token && text.hasPrefix("line 7: ") && text.contains(why)
                && (token.map { text.contains("'\($0)'") } ?? true)
        }
    }

    @Test("--fault AT_SECONDS:COMMAND")
    func scheduled() throws {
        #expect(try ScheduledFault.parse("5:broker down 1", location: "--fault 1") == ScheduledFault(at: 5, command: .brokerDown(.one(1))))
        #expect(try ScheduledFault.parse(" 0.5 : rtt all 100", location: "--fault 1") == ScheduledFault(at: 0.5, command: .rtt(.all, milliseconds: 100)))
        func failure(_ text: String) -> FaultSyntaxError? {
            do throws(FaultSyntaxError) {
                _ = try ScheduledFault.parse(text, location: "--fault 2")
                return nil
            } catch {
                return error
            }
        }
        #expect(failure("broker down 1")?.token == "broker down 1")
        #expect(failure("soon:clear")?.token == "soon")
        #expect(failure("-1:clear")?.token == "-1")
        #expect(failure("3:")?.message.contains("missing command") == true)
        #expect(failure("3:broker down x")?.token == "x")
        #expect(failure("3:broker down x")?.location == "--fault 2")
    }

    @Test("error names map to librdkafka's codes, built from its own table")
    func errorNames() {
        #expect(KafkaResponseCode.code(named: "NOT_LEADER_FOR_PARTITION") == 6)
        #expect(KafkaResponseCode.code(named: "not_leader_for_partition") == 6)
        #expect(KafkaResponseCode.code(named: "MSG_SIZE_TOO_LARGE") == 10)
        // Kafka's own spelling of librdkafka's names.
        #expect(KafkaResponseCode.code(named: "MESSAGE_TOO_LARGE") == 10)
        #expect(KafkaResponseCode.code(named: "UNKNOWN_TOPIC_OR_PARTITION") == 3)
        #expect(KafkaResponseCode.code(named: "NOT_LEADER_OR_FOLLOWER") == 6)
        #expect(KafkaResponseCode.code(named: "_BEGIN") == nil)
        #expect(KafkaResponseCode.code(named: "_MSG_TIMED_OUT") == -192)
        #expect(KafkaResponseCode.code(named: "NO_ERROR") == 0)
        #expect(KafkaResponseCode.code(named: "NOPE") == nil)
        #expect(KafkaResponseCode.byName.count > 100)
        // Every name round-trips through librdkafka's rd_kafka_err2name.
        for (name, code) in KafkaResponseCode.byName { #expect(KafkaResponseCode.name(of: code) == name) }
    }

    @Test("the control file is read as it grows, complete lines only, numbered from 1")
    func controlFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "broker down 1\nrtt 1".write(toFile: path, atomically: false, encoding: .utf8)
        var file = ControlFile(path: path)
        #expect(file.newLines().map { "\($0.0):\($0.1)" } == ["1:broker down 1"])
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(" 20\n\nclear\n".utf8))
        try handle.close()
        #expect(file.newLines().map { "\($0.0):\($0.1)" } == ["2:rtt 1 20", "3:", "4:clear"])
        #expect(file.newLines().isEmpty)
        // Truncated: read again from the start.
        try "clear\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(file.newLines().map { "\($0.0):\($0.1)" } == ["1:clear"])
    }
}
