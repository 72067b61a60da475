import Platform

/// When a failed delivery is tried again, and what a receiver's answer means for it.
enum DeliverySchedule {
    /// The Standard Webhooks schedule, in units: the first try at once, then after 5 s, 5 min, 30 min, 2 h, 5 h,
    /// 10 h, 14 h, 20 h and 24 h. After the last, the delivery has failed.
    static let delays: [Double] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 50_400, 72_000, 86_400]

    /// What one attempt came to.
    enum Outcome: Equatable, Sendable {
        case delivered
        /// Try again, at the earliest after `notBefore` seconds (the receiver's `retry-after`).
        case retry(reason: String, notBefore: Double)
        /// Not tried again (413).
        case failed(String)
        /// Every address of the receiver is refused by the egress policy: not tried again.
        case refused(String)
        /// 410: the receiver wants no more; the subscription is disabled.
        case gone
    }

    /// The outcome of an answered attempt.
    static func outcome(status: Int, retryAfter: String?) -> Outcome {
        switch status {
        case 200..<300: return .delivered
        case 410: return .gone
        case 413: return .failed("the receiver answered 413: the event is too large for it")
        case 429, 502, 503, 504:
            let seconds = retryAfter.flatMap { Double($0.trimmingWhitespace()) } ?? 0
            return .retry(reason: "the receiver answered \(status)", notBefore: min(max(seconds, 0), 86_400))
        case 300..<400:
            return .retry(reason: "the receiver answered \(status) (redirects are not followed)", notBefore: 0)
        default: return .retry(reason: "the receiver answered \(status)", notBefore: 0)
        }
    }

    /// Seconds until the next try after `attempts` tries, or `nil` when the schedule is spent. The delay is
    /// jittered by up to a tenth either way, so that receivers that failed together are not retried together.
    static func delay(afterAttempts attempts: Int, unit: Double, notBefore: Double, jitter: Double) -> Double? {
        guard attempts < delays.count else { return nil }
        return max(delays[attempts] * unit * (1 + 0.1 * jitter), notBefore)
    }
}
