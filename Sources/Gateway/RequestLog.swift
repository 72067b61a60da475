import Glibc
import JSON
import Platform
import Reactor
import Synchronization

/// One JSON line per request on stderr, written by a thread of its own so a slow terminal or a full pipe never
/// blocks an event loop. Lines are batched: loops append under a lock that is held only to append, and the writer
/// writes whatever has gathered every few milliseconds while lines keep coming. A loop wakes the writer only when it
/// has gone idle (no line in its last batch), so a busy gateway hands over per batch and makes no system call per
/// request, and no timer is involved.
final class RequestLog: Sendable {
    private struct Pending {
        var bytes: [UInt8] = []
        /// Stamps every request's line; kept here, under the lock the line is written under.
        var clock = TimestampWriter()
        /// The writer waits for `wake`: the next line must signal it.
        var writerIdle = true
        var writerStarted = false
    }

    private let pending = Mutex(Pending())
    private let wake = Semaphore()
    /// The batch being written (its buffer kept for the next), held while writing so batches go out in order.
    private let output = Mutex<[UInt8]>([])
    private let fd: Int32
    private static let batchDelaySeconds = 0.005
    let enabled: Bool

    /// Lines go to `fd` (standard error unless a test says otherwise).
    init(enabled: Bool, fd: Int32 = 2) {
        self.enabled = enabled
        self.fd = fd
    }

    func request(id: String, method: String, path: String, status: Int, durationSeconds: Double, clientGone: Bool) {
        guard enabled else { return }
        let time = Timestamp.clock()
        let microseconds = Int((durationSeconds * 1_000_000).rounded())
        append { line, clock in
            Self.requestLine(
                time: time, id: id, method: method, path: path, status: status, durationMicroseconds: microseconds,
                clientGone: clientGone, clock: &clock, into: &line)
        }
    }

    /// The JSON object of one request's line, appended to `line` straight as bytes (as `JSONWriter` would write the
    /// tree) because it is made on the loop for every request: written through a pointer into room on the stack,
    /// then appended in one piece.
    static func requestLine(
        time: (seconds: Int, milliseconds: Int), id: String, method: String, path: String, status: Int,
        durationMicroseconds: Int, clientGone: Bool, clock: inout TimestampWriter, into line: inout [UInt8]
    ) {
        // The fixed text, the stamp and two numbers take under 200 bytes; a string escaped takes 6 bytes a byte at
        // most, and its quotes.
        let room = 200 + 6 * (id.utf8.count + method.utf8.count + path.utf8.count)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { buffer in
            var out = LineWriter(cursor: buffer.baseAddress!)
            out.put(#"{"time":""#)
            clock.write(seconds: time.seconds, milliseconds: time.milliseconds, at: out.cursor)
            out.cursor += TimestampWriter.length
            out.put(#"","requestId":"#)
            out.string(id)
            out.put(#","method":"#)
            out.string(method)
            out.put(#","path":"#)
            out.string(path)
            out.put(#","status":"#)
            out.cursor += JSONWriter.writeInteger(status, at: out.cursor)
            out.put(#","durationMs":"#)
            out.milliseconds(durationMicroseconds)
            if clientGone { out.put(#","clientGone":true"#) }
            out.put("}")
            line.append(
                contentsOf: UnsafeBufferPointer(start: buffer.baseAddress, count: out.cursor - buffer.baseAddress!))
        }
    }

    /// Writes bytes at a cursor into room the caller made: each `Array.append` would check the array's uniqueness
    /// and capacity again.
    private struct LineWriter {
        var cursor: UnsafeMutablePointer<UInt8>

        mutating func put(_ literal: StaticString) {
            cursor.initialize(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
            cursor += literal.utf8CodeUnitCount
        }

        mutating func put(_ byte: UInt8) {
            cursor.pointee = byte
            cursor += 1
        }

        mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
            guard let base = bytes.baseAddress else { return }
            cursor.initialize(from: base, count: bytes.count)
            cursor += bytes.count
        }

        /// `text` as a JSON string: copied as it is when it is ASCII with nothing to escape (ids, methods and
        /// paths nearly always are), else as `JSONWriter` writes it.
        mutating func string(_ text: String) {
            var text = text
            let copied = text.withUTF8 { bytes in
                guard JSONWriter.isPlainASCII(bytes) else { return false }
                put(UInt8(ascii: "\""))
                put(bytes)
                put(UInt8(ascii: "\""))
                return true
            }
            guard !copied else { return }
            var escaped: [UInt8] = []
            JSONWriter.writeString(text, into: &escaped)
            escaped.withUnsafeBufferPointer { put($0) }
        }

        /// Milliseconds with up to three decimals and no trailing zero but one (`0.042`, `1.5`, `2.0`), as Swift
        /// writes the `Double` of that many milliseconds, in integer arithmetic.
        mutating func milliseconds(_ microseconds: Int) {
            cursor += JSONWriter.writeInteger(microseconds / 1000, at: cursor)
            put(UInt8(ascii: "."))
            let fraction = microseconds % 1000
            // Its three digits by constant divisors; the first always goes out, the others unless they end in zeros.
            let (first, second, third) = (fraction / 100, fraction / 10 % 10, fraction % 10)
            put(UInt8(ascii: "0") + UInt8(first))
            if second != 0 || third != 0 { put(UInt8(ascii: "0") + UInt8(second)) }
            if third != 0 { put(UInt8(ascii: "0") + UInt8(third)) }
        }
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
    private func append(_ write: (inout [UInt8], inout TimestampWriter) -> Void) {
        let (wakeWriter, startWriter) = pending.withLock { pending in
            write(&pending.bytes, &pending.clock)
            pending.bytes.append(0x0A)
            defer { (pending.writerIdle, pending.writerStarted) = (false, true) }
            return (pending.writerIdle, !pending.writerStarted)
        }
        if startWriter { Thread(name: "request-log") { [self] in runWriter() }.start() }
        if wakeWriter { wake.signal() }
    }

    /// The writer's thread: idle until a line comes, then a batch every `batchDelaySeconds` until a batch finds none.
    private func runWriter() {
        while true {
            wake.wait()
            repeat {
                Thread.sleep(seconds: Self.batchDelaySeconds)
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
}
