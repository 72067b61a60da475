import Dispatch
import Glibc
import JSON
import Reactor
import Testing

@testable import Gateway

struct RequestLogTests {
    /// The line as the tree of the same fields would be written.
    private func treeLine(path: String, clientGone: Bool) -> [UInt8] {
        var members = [
            JSONMember("time", "2026-01-02T03:04:05.678Z"), JSONMember("requestId", "ab12-0-1f"),
            JSONMember("method", "POST"), JSONMember("path", .string(path)), JSONMember("status", .integer(200)),
            JSONMember("durationMs", .number("0.125")),
        ]
        if clientGone { members.append(JSONMember("clientGone", true)) }
        return JSONWriter.bytes(.object(members))
    }

    @Test(arguments: ["/connect/ns/c/mcp", "/a\"b\\c\u{01}\u{7F}é/\n"], [false, true])
    func theRequestLineIsWhatTheTreeWouldBe(path: String, clientGone: Bool) {
        var line: [UInt8] = []
        RequestLog.requestLine(
            time: "2026-01-02T03:04:05.678Z", id: "ab12-0-1f", method: "POST", path: path, status: 200,
            durationMs: "0.125", clientGone: clientGone, into: &line)
        #expect(line == treeLine(path: path, clientGone: clientGone))
        #expect((try? JSONParser.parse(line))?["path"]?.stringValue == path)
    }

    @Test func durationsAreWrittenAsTheRoundedDoubleIs() {
        var values: [Double] = [
            0, 0.0004, 0.0005, 0.001, 0.0101, 0.1, 0.125, 0.5, 1, 9.9995, 10, 12.3456, 999.9999, 1e6,
        ]
        values += [123_456_789.123_4, 999_999_999.999, 1e9, 1e12, 1e300, -0.0, -1, .infinity, .nan]
        var random = SystemRandomNumberGenerator()
        for scale in [1.0, 10, 1_000, 100_000] {
            for _ in 0..<2_000 { values.append(Double.random(in: 0..<scale, using: &random)) }
        }
        for value in values {
            #expect(RequestLog.format3(value) == String((value * 1000).rounded() / 1000), "\(value)")
        }
    }

    @Test func theLineClockWritesWhatTimestampWrites() {
        var clock = LineClock()
        for (seconds, nanoseconds) in [
            (0, 0), (1_767_322_245, 678_900_000), (1_767_322_245, 5_000_000), (1_767_322_246, 999_999_999),
        ] {
            let time = timespec(tv_sec: seconds, tv_nsec: nanoseconds)
            #expect(clock.time(time) == Timestamp.format(seconds: seconds, milliseconds: nanoseconds / 1_000_000))
        }
    }

    /// Reads what `fd` holds until `count` newlines have come (or the pipe is closed, or nothing came for 10 s,
    /// so a lost line fails the test instead of hanging it).
    private func readLines(_ fd: Int32, count: Int) -> [String] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while bytes.count(where: { $0 == 0x0A }) < count {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 10_000) == 1 else { break }
            let got = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard got > 0 else { break }
            bytes += chunk[..<got]
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test func linesFromManyThreadsComeOutWholeAndInOrderOfEachThread() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let log = RequestLog(enabled: true, fd: fds[1])
        let (threads, perThread) = (4, 500)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for index in 0..<perThread {
                log.request(
                    id: "\(thread)-\(index)", method: "POST", path: "/p", status: 200, durationSeconds: 0.001,
                    clientGone: false)
            }
        }
        let lines = readLines(fds[0], count: threads * perThread)
        close(fds[1])
        #expect(lines.count == threads * perThread)
        var next = [Int](repeating: 0, count: threads)
        for line in lines {
            let id = try #require(try JSONParser.parse(Array(line.utf8))["requestId"]?.stringValue)
            let parts = id.split(separator: "-").compactMap { Int($0) }
            #expect(parts[1] == next[parts[0]])
            next[parts[0]] += 1
        }
    }

    @Test func aLineAfterTheWriterWentIdleIsWrittenToo() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let log = RequestLog(enabled: true, fd: fds[1])
        log.event("first")
        #expect(readLines(fds[0], count: 1).count == 1)
        // The writer finds its next batch empty and waits; a later line must wake it, with no flush.
        usleep(50_000)
        log.event("second")
        let second = readLines(fds[0], count: 1)
        close(fds[1])
        #expect(second.count == 1 && second[0].contains(#""event":"second""#))
    }

    @Test func flushWritesWhatHasGathered() {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let log = RequestLog(enabled: true, fd: fds[1])
        log.event("one")
        log.event("two")
        log.flush()
        close(fds[1])
        let lines = readLines(fds[0], count: 2)
        #expect(lines.count == 2)
    }
}
