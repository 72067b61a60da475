import HTTP
import JSON
import MCP

/// One relayed call's loose ends in one object: the error it answers with if nothing comes back, the upstream call
/// a departing client or the caller's cancel cancels, and its place among the calls in flight. Loop-confined, like its
/// responder.
final class RelayedCall: ResponderDelegate, ClientGoneObserver, InFlightCall {
    private let service: ConnectService
    let caller: InFlightCalls.Caller
    /// Only the names a failure's setup URL needs, not a copy of the whole connection.
    private let namespace: String
    private let connectionID: String
    /// Until the answer is given: the cycle through the call and its sink is broken then.
    var sent: (any MCPCall)?
    var inFlight: InFlightCalls.Entry?

    init(service: ConnectService, caller: InFlightCalls.Caller, namespace: String, connectionID: String) {
        (self.service, self.caller, self.namespace, self.connectionID) = (service, caller, namespace, connectionID)
    }

    func failureAnswer(_ failure: MCPFailure) -> JSONValue {
        service.failureAnswer(
            id: caller.id, failure, setupURL: service.setupURL(namespace: namespace, id: connectionID))
    }

    func answerGiven() {
        inFlight?.remove()
        inFlight = nil
        sent = nil
    }

    func clientWentAway() { cancel() }

    func cancel() { sent?.cancel() }
}
