import HTTP
import JSON
import MCP

/// One relayed call's loose ends in one object: the error it answers with if nothing comes back, the upstream call
/// a departing client cancels, and its place among the calls in flight. Loop-confined, like its responder.
final class RelayedCall: ResponderDelegate, ClientGoneObserver {
    private let service: ConnectService
    private let id: JSONValue
    /// Only the names a failure's setup URL needs, not a copy of the whole connection.
    private let namespace: String
    private let connectionID: String
    /// Until the answer is given: the cycle through the call and its sink is broken then.
    var sent: (any MCPCall)?
    var inFlight: InFlightCalls.Entry?

    init(service: ConnectService, id: JSONValue, namespace: String, connectionID: String) {
        (self.service, self.id, self.namespace, self.connectionID) = (service, id, namespace, connectionID)
    }

    func failureAnswer(_ failure: MCPFailure) -> JSONValue {
        service.failureAnswer(id: id, failure, setupURL: service.setupURL(namespace: namespace, id: connectionID))
    }

    func answerGiven() {
        inFlight?.remove()
        inFlight = nil
        sent = nil
    }

    func clientWentAway() {
        sent?.cancel()
    }
}
