import Dispatch
import Glibc
import JSON
import Reactor
import Synchronization

/// One JSON line per request on stderr, written by a thread of its own so a slow terminal or a full pipe never
/// blocks an event loop. Lines are batched: loops append under a lock that is held only to append, and the writer
/// writes whatever has gathered every few milliseconds while lines keep coming. A loop wakes the writer only when it
/// has gone idle (no line in its last batch), so a busy gateway hands over per batch and makes no system call per
/// request, and no timer of Dispatch's is involved.
final class RequestLog: Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        /// The writer waits for `wake`: the next line must signal it.
        var writerIdle = true
        var writerStarted = false
        var clock = LineClock()
    }

    private let pending = Mutex(Pending())
    private let wake = DispatchSemaphore(value: 0)
    /// The batch being written (its buffer kept for the next), held while writing so batches go out in order.
    private let output = Mutex<[UInt8]>([])
    private let fd: Int32
    private static let batchDelay = timespec(tv_sec: 0, tv_nsec: 5_000_000)
    let enabled: Bool

    /// Lines go to `fd` (standard error unless a test says otherwise).
    init(enabled: Bool, fd: Int32 = 2) {
        self.enabled = enabled
        self.fd = fd
    }

    func request(id: String, method: String, path: String, status: Int, durationSeconds: Double, clientGone: Bool) {
        guard enabled else { return }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let durationMs = Self.format3(durationSeconds * 1000)
        append { line, clock in
            Self.requestLine(
                time: clock.time(now), id: id, method: method, path: path, status: status, durationMs: durationMs,
                clientGone: clientGone, into: &line)
        }
    }

    /// The JSON object of one request's line, appended to `line` straight as bytes (as `JSONWriter` would write the
    /// tree) because it is made on the loop for every request.
    static func requestLine(
        time: String, id: String, method: String, path: String, status: Int, durationMs: String, clientGone: Bool,
        into line: inout [UInt8]
    ) {
        append(#"{"time":"#, to: &line)
        JSONWriter.writeString(time, into: &line)
        append(#","requestId":"#, to: &line)
        JSONWriter.writeString(id, into: &line)
        append(#","method":"#, to: &line)
        JSONWriter.writeString(method, into: &line)
        append(#","path":"#, to: &line)
        JSONWriter.writeString(path, into: &line)
        append(#","status":"#, to: &line)
        line += String(status).utf8
        append(#","durationMs":"#, to: &line)
        line += durationMs.utf8
        if clientGone { append(#","clientGone":true"#, to: &line) }
        line.append(UInt8(ascii: "}"))
    }

    /// The bytes of a literal in one copy (a `String`'s UTF-8 view is appended byte by byte).
    private static func append(_ literal: StaticString, to line: inout [UInt8]) {
        line.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// A one-off operational message (start-up, shutdown), also as a JSON line.
    func event(_ message: String, _ fields: [JSONMember] = []) {
        write(.object([JSONMember("time", .string(Timestamp.now())), JSONMember("event", .string(message))] + fields))
    }

    private func write(_ value: JSONValue) {
        let bytes = JSONWriter.bytes(value)
        append { line, _ in line += bytes }
    }

    /// Adds one line (`write` appends it, its newline is added here) to the next batch, waking the writer if it
    /// is idle. The line is written straight into the batch, so a request's line is not copied again.
    private func append(_ write: (inout [UInt8], inout LineClock) -> Void) {
        let (wakeWriter, startWriter) = pending.withLock { pending in
            write(&pending.bytes, &pending.clock)
            pending.bytes.append(0x0A)
            defer { (pending.writerIdle, pending.writerStarted) = (false, true) }
            return (pending.writerIdle, !pending.writerStarted)
        }
        if startWriter { Thread(name: "request-log") { [self] in runWriter() }.start() }
        if wakeWriter { wake.signal() }
    }

    /// The writer's thread: idle until a line comes, then a batch every `batchDelay` until a batch finds none.
    private func runWriter() {
        while true {
            wake.wait()
            repeat {
                var (delay, rest) = (Self.batchDelay, timespec())
                while nanosleep(&delay, &rest) != 0 && errno == EINTR { delay = rest }
            } while writeBatch(idleWhenEmpty: true)
        }
    }

    /// Writes what has gathered; `false` when there was nothing (and then, for the writer, it is idle).
    @discardableResult
    private func writeBatch(idleWhenEmpty: Bool = false) -> Bool {
        output.withLock { batch in
            pending.withLock { pending in
                swap(&pending.bytes, &batch)
                if batch.isEmpty && idleWhenEmpty { pending.writerIdle = true }
            }
            guard !batch.isEmpty else { return false }
            defer { batch.removeAll(keepingCapacity: true) }
            var offset = 0
            while offset < batch.count {
                let written = batch.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }  // the output is gone; lines are dropped rather than blocking anyone
                offset += written
            }
            return true
        }
    }

    /// Writes every line gathered so far, and waits until it is written.
    func flush() {
        writeBatch()
    }

    /// Milliseconds to three decimals, as the `durationMs` field writes them: what `String(Double)` writes for the
    /// value rounded to thousandths, written from the integer count of thousandths where that is exact (below
    /// 10⁹ milliseconds such a value has fewer digits than a double holds, so its shortest form is that decimal).
    static func format3(_ value: Double) -> String {
        let thousandths = (value * 1000).rounded()
        guard thousandths.sign == .plus, thousandths < 1e12 else { return String(thousandths / 1000) }
        let count = Int(thousandths)
        let whole = count / 1000
        var fraction = count % 1000
        var fractionDigits = 3
        while fractionDigits > 1, fraction % 10 == 0 {
            fraction /= 10
            fractionDigits -= 1
        }
        var wholeDigits = 1
        var rest = whole
        while rest >= 10 {
            rest /= 10
            wholeDigits += 1
        }
        return String(unsafeUninitializedCapacity: wholeDigits + 1 + fractionDigits) { buffer in
            writeDecimal(whole, digits: wholeDigits, into: buffer, at: 0)
            buffer[wholeDigits] = UInt8(ascii: ".")
            writeDecimal(fraction, digits: fractionDigits, into: buffer, at: wholeDigits + 1)
            return wholeDigits + 1 + fractionDigits
        }
    }

    /// `value`'s last `digits` decimal digits, zero-padded, at `start`.
    static func writeDecimal(_ value: Int, digits: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var value = value
        for index in stride(from: start + digits - 1, through: start, by: -1) {
            buffer[index] = UInt8(ascii: "0") + UInt8(value % 10)
            value /= 10
        }
    }
}

/// The wall-clock time of log lines in `Timestamp`'s form, its date and time of day formatted once per second
/// (lines share their second far more often than not), the milliseconds per line.
struct LineClock {
    private var second = -1
    /// `2026-01-02T03:04:05.` of `second`.
    private var prefix: [UInt8] = []

    mutating func time(_ now: timespec) -> String {
        if now.tv_sec != second {
            second = now.tv_sec
            prefix = Array(Timestamp.format(seconds: second, milliseconds: 0).utf8.dropLast(4))
        }
        return String(unsafeUninitializedCapacity: prefix.count + 4) { buffer in
            let index = prefix.count
            prefix.withUnsafeBufferPointer { buffer.baseAddress!.initialize(from: $0.baseAddress!, count: index) }
            RequestLog.writeDecimal(Int(now.tv_nsec / 1_000_000), digits: 3, into: buffer, at: index)
            buffer[index + 3] = UInt8(ascii: "Z")
            return index + 4
        }
    }
}
