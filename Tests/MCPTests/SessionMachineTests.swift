import JSON
import Testing

@testable import MCP

/// The machine with plain numbers for waiters.
typealias Machine = SessionMachine<Int>

/// `SessionMachine.Action`, comparable.
enum Step: Equatable {
    case proceed(Machine.Mode)
    case describe
    case wait
    case refuse(MCPFailure)
    case resume([Int], Result<Machine.Mode, MCPFailure>)

    init(_ action: Machine.Action) {
        switch action {
        case .proceed(let mode): self = .proceed(mode)
        case .describe: self = .describe
        case .wait: self = .wait
        case .refuse(let failure): self = .refuse(failure)
        case .resume(let waiters, let result): self = .resume(waiters, result)
        }
    }
}

/// `SessionMachine.State`, comparable.
enum Phase: Equatable {
    case idle
    case describing([Int])
    case ready(Machine.Mode)
    case authRequired

    init(_ state: Machine.State) {
        switch state {
        case .idle: self = .idle
        case .describing(let waiters): self = .describing(waiters)
        case .ready(let mode): self = .ready(mode)
        case .authRequired: self = .authRequired
        }
    }
}

extension Machine {
    mutating func step(_ waiter: Int) -> Step { Step(need(waiter)) }
    var phase: Phase { Phase(state) }

    /// A machine whose upstream is described in `mode`.
    static func ready(_ mode: Mode) -> Machine {
        var machine = Machine()
        _ = machine.need(0)
        _ = machine.described(.success(mode))
        return machine
    }
}

private let legacyServer = ServerDescription(
    supportedVersions: [.v2025_11_25], capabilities: .object([]), serverInfo: .object([JSONMember("name", "up")]))
private let modernServer = ServerDescription(
    supportedVersions: [.v2026_07_28], capabilities: .object([JSONMember("tools", .object([]))]),
    serverInfo: .object([JSONMember("name", "up")]))
private let sessionA = Machine.Mode.handshake(
    .init(sessionID: "a", revision: .v2025_11_25, description: legacyServer))
private let sessionB = Machine.Mode.handshake(
    .init(sessionID: "b", revision: .v2025_11_25, description: legacyServer))
private let stateless = Machine.Mode.stateless(modernServer)

@Suite struct SessionMachineTests {
    @Test func theFirstCallerDescribesAndTheOthersWait() {
        var machine = Machine()
        #expect(machine.phase == .idle)
        #expect(machine.health == .unknown)
        #expect(machine.step(1) == .describe)
        #expect(machine.step(2) == .wait)
        #expect(machine.step(3) == .wait)
        #expect(machine.phase == .describing([1, 2, 3]))
        #expect(machine.health == .unknown)
    }

    @Test(arguments: [sessionA, stateless]) func aDescriptionResumesEveryWaiterInOrder(_ mode: Machine.Mode) {
        var machine = Machine()
        _ = machine.need(1)
        _ = machine.need(2)
        #expect(Step(machine.described(.success(mode))) == .resume([1, 2], .success(mode)))
        #expect(machine.phase == .ready(mode))
        #expect(machine.health == .connected)
        #expect(machine.step(3) == .proceed(mode))
        #expect(machine.phase == .ready(mode))
    }

    @Test func aFailedDescriptionResumesEveryWaiterWithItAndGoesIdle() {
        var machine = Machine()
        _ = machine.need(1)
        _ = machine.need(2)
        let failure = MCPFailure.failed("connection refused")
        #expect(Step(machine.described(.failure(failure))) == .resume([1, 2], .failure(failure)))
        #expect(machine.phase == .idle)
        #expect(machine.health == .failed("connection refused"))
        // The next caller tries afresh.
        #expect(machine.step(3) == .describe)
        #expect(machine.phase == .describing([3]))
    }

    @Test func a401DuringTheDescriptionRefusesEveryLaterCall() {
        var machine = Machine()
        _ = machine.need(1)
        #expect(Step(machine.described(.failure(.authRequired))) == .resume([1], .failure(.authRequired)))
        #expect(machine.phase == .authRequired)
        #expect(machine.health == .authRequired)
        #expect(machine.step(2) == .refuse(.authRequired))
        #expect(machine.step(3) == .refuse(.authRequired))
        #expect(machine.phase == .authRequired)
    }

    @Test func a401OnACallRefusesEveryLaterCallUntilClosed() {
        var machine = Machine.ready(sessionA)
        machine.failed(.authRequired, in: sessionA)
        #expect(machine.phase == .authRequired)
        #expect(machine.health == .authRequired)
        #expect(machine.step(1) == .refuse(.authRequired))
        // The connection changed: the next call may try again.
        #expect(machine.close() == nil)
        #expect(machine.health == .unknown)
        #expect(machine.step(2) == .describe)
    }

    /// A stateless upstream is described afresh too: it may have been replaced by one of another revision.
    @Test(arguments: [sessionA, stateless]) func aFailedCallDropsTheModeAndSaysWhy(_ mode: Machine.Mode) {
        var machine = Machine.ready(mode)
        machine.failed(.failed("the upstream answered HTTP 502"), in: mode)
        #expect(machine.phase == .idle)
        #expect(machine.health == .failed("the upstream answered HTTP 502"))
        #expect(machine.step(1) == .describe)
    }

    @Test func aCancelledCallKeepsTheSession() {
        var machine = Machine.ready(sessionA)
        machine.failed(.cancelled, in: sessionA)
        #expect(machine.phase == .ready(sessionA))
        #expect(machine.health == .connected)
    }

    @Test func anExpiredSessionThatFailsAgainSaysSo() {
        var machine = Machine.ready(sessionA)
        machine.failed(.sessionExpired, in: sessionA)
        #expect(machine.phase == .idle)
        #expect(machine.health == .failed(MCPFailure.sessionExpired.message))
    }

    @Test func failuresOfAReplacedSessionAreIgnored() {
        var machine = Machine.ready(sessionB)
        machine.failed(.failed("late"), in: sessionA)
        machine.failed(.authRequired, in: sessionA)
        #expect(machine.phase == .ready(sessionB))
        #expect(machine.health == .connected)
        // Nor do they touch a description in flight.
        var describing = Machine()
        _ = describing.need(1)
        describing.failed(.failed("late"), in: sessionA)
        #expect(describing.phase == .describing([1]))
        #expect(describing.health == .unknown)
    }

    @Test func answersOfAReplacedSessionAreIgnored() {
        var machine = Machine.ready(sessionA)
        machine.failed(.failed("reset"), in: sessionA)
        // An answer still in flight on the dropped session does not make the upstream look healthy.
        machine.answered(in: sessionA)
        #expect(machine.health == .failed("reset"))
        #expect(machine.phase == .idle)
        _ = machine.need(1)
        _ = machine.described(.success(sessionB))
        machine.answered(in: sessionB)
        #expect(machine.health == .connected)
    }

    @Test func anAnswerInTheCurrentSessionRestoresHealth() {
        var machine = Machine.ready(sessionA)
        machine.answered(in: sessionA)
        #expect(machine.health == .connected)
        #expect(machine.phase == .ready(sessionA))
    }

    @Test func expiryDropsOnlyTheSameSession() {
        var machine = Machine.ready(sessionA)
        machine.expired(sessionA)
        #expect(machine.phase == .idle)
        #expect(machine.step(1) == .describe)
        // Callers that saw the same 404 arrive while the new session is being opened: they wait for it.
        machine.expired(sessionA)
        #expect(machine.phase == .describing([1]))
        #expect(machine.step(2) == .wait)
        _ = machine.described(.success(sessionB))
        // And once it is open, a late 404 from the old session leaves the new one alone.
        machine.expired(sessionA)
        #expect(machine.phase == .ready(sessionB))
        #expect(machine.step(3) == .proceed(sessionB))
    }

    @Test func closeEndsTheSessionAndForgetsEverything() {
        var machine = Machine.ready(sessionA)
        machine.cache("tools/list", .object([JSONMember("tools", .array([]))]))
        #expect(machine.close() == sessionA)
        #expect(machine.phase == .idle)
        #expect(machine.health == .unknown)
        #expect(machine.cached("tools/list", at: 0) == nil)
        #expect(machine.close() == nil)
        var failed = Machine.ready(stateless)
        failed.failed(.failed("x"), in: stateless)
        #expect(failed.close() == nil)
        #expect(failed.health == .unknown)
    }

    @Test func aDescriptionNobodyWaitsForChangesNothing() {
        var machine = Machine.ready(sessionA)
        #expect(Step(machine.described(.success(sessionB))) == .resume([], .success(sessionB)))
        #expect(machine.phase == .ready(sessionA))
        var idle = Machine()
        #expect(Step(idle.described(.failure(.authRequired))) == .resume([], .failure(.authRequired)))
        #expect(idle.phase == .idle)
        #expect(idle.health == .unknown)
    }

    @Test func theToolsCacheIsDroppedWhenTheListChanges() {
        var machine = Machine.ready(sessionA)
        #expect(machine.cached("tools/list", at: 0) == nil)
        let tools: JSONValue = .object([JSONMember("tools", .array([.object([JSONMember("name", "add")])]))])
        machine.cache("tools/list", tools)
        #expect(machine.cached("tools/list", at: 0) == tools)
        machine.listChanged("tools/list")
        #expect(machine.cached("tools/list", at: 0) == nil)
        #expect(machine.phase == .ready(sessionA))
    }

    @Test func aCachedListingExpiresAtItsTime() {
        var machine = Machine.ready(sessionA)
        let tools: JSONValue = .object([JSONMember("tools", .array([]))])
        machine.cache("tools/list", tools, until: 1_000)
        #expect(machine.cached("tools/list", at: 999) == tools)
        #expect(machine.cached("tools/list", at: 1_000) == nil)
    }

    /// Every caller that was told to wait (or to describe) must hear the outcome exactly once: a session closed
    /// while its description is in flight still owes its waiters an answer.
    @Test func closeWhileDescribingLeavesNoWaiterBehind() {
        var machine = Machine()
        _ = machine.need(1)
        _ = machine.need(2)
        #expect(machine.close() == nil)
        let late = Step(machine.described(.success(sessionA)))
        var resumed: [Int] = []
        if case .resume(let waiters, _) = late { resumed = waiters }
        #expect(resumed == [1, 2])
    }
}
