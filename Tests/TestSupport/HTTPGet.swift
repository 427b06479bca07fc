import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test support, linked by test targets only (never by a product).
///
/// A minimal HTTP/1.1 GET over a plain socket (the tests need no HTTP client library):
/// `Connection: close`, the whole response read until the server closes.
public func httpGet(port: Int, path: String, host: String = "127.0.0.1", timeoutSeconds: Int = 30) throws -> (status: Int, headers: String, body: String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HTTPGetError("socket: errno \(errno)") }
    defer { close(fd) }
    var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    inet_pton(AF_INET, host, &address.sin_addr)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw HTTPGetError("connect to \(host):\(port): errno \(errno)") }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { throw HTTPGetError("send failed") }
    var response: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw HTTPGetError("recv: errno \(errno)") }
        if n == 0 { break }
        response += buffer[0..<n]
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let split = text.range(of: "\r\n\r\n") else { throw HTTPGetError("no header end in: \(text.prefix(200))") }
    let head = String(text[..<split.lowerBound])
    let statusLine = head.split(separator: "\r\n").first ?? ""
    let parts = statusLine.split(separator: " ")
    guard parts.count >= 2, let status = Int(parts[1]) else { throw HTTPGetError("bad status line '\(statusLine)'") }
    return (status, head, String(text[split.upperBound...]))
}

public struct HTTPGetError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `httpGet` on a Dispatch thread, not one of Swift concurrency's few shared threads: a
/// blocking read there could starve the very server (or other tests) it waits for.
public func fetch(port: Int, path: String, host: String = "127.0.0.1", timeoutSeconds: Int = 30) async throws -> (status: Int, headers: String, body: String) {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try httpGet(port: port, path: path, host: host, timeoutSeconds: timeoutSeconds) })
        }
    }
}
