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
        var clock = TimestampWriter()
        RequestLog.requestLine(
            time: (1_767_323_045, 678), id: "ab12-0-1f", method: "POST", path: path, status: 200,
            durationMicroseconds: 125, clientGone: clientGone, clock: &clock, into: &line)
        #expect(line == treeLine(path: path, clientGone: clientGone))
        #expect((try? JSONParser.parse(line))?["path"]?.stringValue == path)
    }

    /// The line is written through a pointer into room reserved for it: strings that escape at the worst rate (six
    /// bytes for each control byte) and at length, and a clock far in the future, still come out whole.
    @Test func aLineOfWorstCaseStringsFitsItsRoom() {
        let path = "/" + String(repeating: "\u{01}", count: 9_000)
        let id = String(repeating: "\"", count: 128)
        var (line, clock): ([UInt8], TimestampWriter) = ([], TimestampWriter())
        RequestLog.requestLine(
            time: (253_402_300_799, 999), id: id, method: "M\u{1F}", path: path, status: 599,
            durationMicroseconds: Int.max, clientGone: true, clock: &clock, into: &line)
        let parsed = try? JSONParser.parse(line)
        #expect(parsed?["path"]?.stringValue == path && parsed?["requestId"]?.stringValue == id)
        #expect(parsed?["method"]?.stringValue == "M\u{1F}" && parsed?["clientGone"] == true)
        #expect(parsed?["time"]?.stringValue == "9999-12-31T23:59:59.999Z")
    }

    @Test(arguments: [0, 1, 42, 120, 125, 999, 1_000, 1_500, 2_000, 12_345, 60_000_001, 86_400_000_000])
    func millisecondsAreWrittenAsTheirDoubleIs(microseconds: Int) {
        var (line, clock): ([UInt8], TimestampWriter) = ([], TimestampWriter())
        RequestLog.requestLine(
            time: (1_767_323_045, 678), id: "a", method: "GET", path: "/", status: 200,
            durationMicroseconds: microseconds, clientGone: false, clock: &clock, into: &line)
        guard case .number(let written)? = (try? JSONParser.parse(line))?["durationMs"] else {
            Issue.record("no durationMs in \(String(decoding: line, as: UTF8.self))")
            return
        }
        #expect(written == String((Double(microseconds) / 1000 * 1000).rounded() / 1000))
    }

    @Test func stampsWithinOneSecondShareTheirDateAndDifferInMilliseconds() {
        var clock = TimestampWriter()
        var line: [UInt8] = []
        for (seconds, milliseconds) in [(1_767_323_045, 5), (1_767_323_045, 678), (1_767_323_046, 0)] {
            clock.write(seconds: seconds, milliseconds: milliseconds, into: &line)
            line.append(UInt8(ascii: " "))
        }
        #expect(
            String(decoding: line, as: UTF8.self)
                == "2026-01-02T03:04:05.005Z 2026-01-02T03:04:05.678Z 2026-01-02T03:04:06.000Z ")
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
