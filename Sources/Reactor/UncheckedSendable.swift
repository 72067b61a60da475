/// Carries a value across a thread hop that the reactor makes safe by construction: the value is created on an
/// event loop and only touched again after being handed back to that same loop.
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value

    public init(_ value: Value) { self.value = value }
}
