import Foundation
import Kafka
import Testing
import TestSupport
import TriageOps
import TriagePolicy

@Suite("`triage dev-cluster` injects faults from --fault and its control file", .serialized)
struct DevClusterFaultTests {
    @Test("every command applies to a mock cluster; an unknown broker or partition is refused by name")
    func injector() throws {
        let cluster = try MockCluster(brokers: 2)
        try cluster.createTopic("t", partitions: 2, replicationFactor: 2)
        let injector = FaultInjector(cluster: cluster)
        let commands: [FaultCommand] = [
            .brokerDown(.one(2)), .brokerUp(.one(2)), .brokerDown(.all), .brokerUp(.all), .rtt(.all, milliseconds: 5),
            .requestErrors(.produce, count: 2, error: 6), .requestErrors(.joinGroup, count: 1, error: 15),
            .topicError(topic: "t", error: 3), .leader(topic: "t", partition: 1, broker: 2),
            .coordinator(group: "g", broker: 1), .clear,
        ]
        for command in commands { try injector.apply(command) }
        #expect(throws: KafkaError.self) { try injector.apply(.brokerDown(.one(3))) }
        #expect(throws: KafkaError.self) { try injector.apply(.coordinator(group: "g", broker: 9)) }
        #expect(throws: KafkaError.self) { try injector.apply(.leader(topic: "t", partition: 7, broker: 1)) }
        do {
            try injector.apply(.rtt(.one(4), milliseconds: 1))
        } catch {
            #expect(error.message.contains("no broker 4"))
        }
    }

    /// Produces one record and waits for its delivery report.
    func deliver(_ producer: KafkaProducer, seconds: Double = 30) throws -> (KafkaDeliveryReport?, Duration) {
        let start = ContinuousClock.now
        try producer.send(KafkaProducerMessage(topic: "tickets", key: "k", value: Array("v".utf8)), token: 1)
        let deadline = start + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let report = producer.flush(timeoutMs: 100).first { return (report, ContinuousClock.now - start) }
        }
        return (nil, ContinuousClock.now - start)
    }

    func producer(_ bootstrap: String, timeoutMs: Int) throws -> KafkaProducer {
        var config = KafkaProducerConfiguration(bootstrapServers: bootstrap)
        config.idempotent = false
        config.lingerMs = 1
        config.messageTimeoutMs = timeoutMs
        config.extra = ["reconnect.backoff.max.ms": "200", "retry.backoff.ms": "50"]
        return try KafkaProducer(configuration: config)
    }

    @Test("a scheduled produce error, then broker down/up, RTT and clear through the control file, each acknowledged; bad lines refused by line and token; the policy's topics created")
    func controlFile() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("triage-faults-\(UUID().uuidString.prefix(8))")
        let control = dir.appendingPathComponent("faults.ctl").path
        let dev = try await DevClusterProcess.start(partitions: 2, ["--policy", Policy.shippedDirectory("banking77"), "--control-file", control,
                                                                   "--fault", "0:errors produce 1 MESSAGE_TOO_LARGE"], in: dir)
        defer { dev.stop() }
        let (cluster, bootstrap) = (dev.process, dev.bootstrap)
        // The banking77 policy's queues, not the demo's.
        #expect(cluster.log.contains("queue.security(2)") && cluster.log.contains("queue.top_ups(2)"), "\(cluster.log)")
        #expect(!cluster.log.contains("queue.payments"))

        var lines = 0
        func append(_ line: String) throws {
            let handle = try #require(FileHandle(forWritingAtPath: control))
            handle.seekToEndOfFile()
            handle.write(Data((line + "\n").utf8))
            try handle.close()
            lines += 1
        }
        /// Appends a line to the control file and waits for its acknowledgement.
        func send(_ line: String) async throws -> String {
            try append(line)
            let deadline = ContinuousClock.now + .seconds(30)
            while true {
                // Looked at once more after the deadline: a test thread that was not scheduled
                // for a while must not miss an acknowledgement that came in time.
                let late = ContinuousClock.now >= deadline
                let acks = (try? String(contentsOfFile: control + ".ack", encoding: .utf8)) ?? ""
                if let ack = acks.split(separator: "\n").first(where: { $0.hasPrefix("\(lines) ") }) { return String(ack) }
                if late { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            throw TestFailure("no acknowledgement of line \(lines) '\(line)'; log:\n\(cluster.log)")
        }

        // --fault 0:errors produce 1 MESSAGE_TOO_LARGE: the first produce fails with it, the next one is written.
        let client = try producer(bootstrap, timeoutMs: 2_000)
        let (refused, _) = try deliver(client)
        #expect(refused?.error?.rdKafkaCode == 10, "\(String(describing: refused))")
        #expect(cluster.log.contains("fault at 0.0s: ok: errors produce 1 MSG_SIZE_TOO_LARGE"), "\(cluster.log)")
        let (written, _) = try deliver(client)
        #expect(written != nil && written?.error == nil, "\(String(describing: written))")

        // Broker down: a produce times out; up again: it is written.
        #expect(try await send("broker down 1") == "1 ok broker down 1")
        let (lost, _) = try deliver(client)
        #expect(lost?.error?.rdKafkaCode == -192, "\(String(describing: lost)) (_MSG_TIMED_OUT expected)")
        #expect(try await send("broker up 1") == "2 ok broker up 1")
        let steady = try producer(bootstrap, timeoutMs: 20_000)
        let (back, _) = try deliver(steady)
        #expect(back != nil && back?.error == nil, "\(String(describing: back))")

        // RTT: the produce takes at least that long; clear: fast again.
        #expect(try await send("rtt 1 1500") == "3 ok rtt 1 1500")
        let (slow, slowTime) = try deliver(steady)
        #expect(slow != nil && slow?.error == nil && slowTime >= .milliseconds(1400), "\(slowTime) \(String(describing: slow))")
        try append("# comments are not acknowledged, but count as lines")
        #expect(try await send("clear") == "5 ok clear")
        #expect(!(try String(contentsOfFile: control + ".ack", encoding: .utf8)).contains("\n4 "))
        let (fast, fastTime) = try deliver(steady)
        #expect(fast != nil && fast?.error == nil && fastTime < .milliseconds(1000), "\(fastTime) \(String(describing: fast))")

        // Bad lines: acknowledged as errors naming the token; the cluster keeps going.
        #expect(try await send("broker sideways 1") == "6 error 'sideways': expected down or up")
        #expect(try await send("broker down 9") == "7 error broker down 9: no broker 9: the cluster has brokers 1...1")
        // clear also drops request errors still pushed.
        #expect(try await send("errors produce 3 MESSAGE_TOO_LARGE") == "8 ok errors produce 3 MSG_SIZE_TOO_LARGE")
        #expect(try await send("clear") == "9 ok clear")
        let (afterClear, _) = try deliver(steady)
        #expect(afterClear != nil && afterClear?.error == nil, "\(String(describing: afterClear))")
        #expect(cluster.log.contains("dev-cluster: control line 6 error: 'sideways': expected down or up"))
        #expect(cluster.log.contains("dev-cluster: control line 3 ok: rtt 1 1500"))

        cluster.signal(SIGTERM)
        let status = try await cluster.wait(seconds: 10)
        #expect(status == 0, "exit status \(String(describing: status)); log:\n\(cluster.log)")
    }
}
