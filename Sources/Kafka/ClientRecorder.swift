#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A record of every client's final property list, for checking that a command's settings
/// reach all of its clients (the tests in ClientSettingsTests do).
///
/// Off unless the environment variable `TRIAGE_RECORD_KAFKA_CLIENTS` names a file: then each
/// client appends one line when it is created, `role<TAB>key=value<TAB>…`, in the order the
/// properties are applied, secret values written `***`. Nothing else is written, and no
/// secret ever is.
public enum ClientRecorder {
    /// The environment variable naming the file.
    public static let environmentVariable = "TRIAGE_RECORD_KAFKA_CLIENTS"

    private static let path: String? = getenv(environmentVariable).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
    private static let lock = Mutex(())

    static func record(role: String, settings: KafkaClientSettings, properties: [(String, String)]) {
        guard let path else { return }
        let line = ([role] + properties.map { "\($0.0)=\(settings.printable($0.0, $0.1))" })
            .map { $0.replacing("\t", with: " ").replacing("\n", with: " ") }
            .joined(separator: "\t") + "\n"
        lock.withLock { _ in
            guard let file = fopen(path, "a") else { return }
            fputs(line, file)
            fclose(file)
        }
    }
}
