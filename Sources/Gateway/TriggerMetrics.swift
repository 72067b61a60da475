import Connect

/// The trigger lines of `/metrics`: upstream posts by result, delivery attempts by outcome, the outbox.
enum TriggerMetrics {
    static func render(_ counters: TriggerCounters) -> String {
        var out = "# HELP switchboard_trigger_ingress_total Upstream posts to the trigger ingress, by result.\n"
        out += "# TYPE switchboard_trigger_ingress_total counter\n"
        for (result, count) in counters.ingress.sorted(by: { $0.key < $1.key }) {
            out += "switchboard_trigger_ingress_total{result=\"\(result)\"} \(count)\n"
        }
        out += "# HELP switchboard_webhook_deliveries_total Delivery attempts to subscribers, by outcome.\n"
        out += "# TYPE switchboard_webhook_deliveries_total counter\n"
        for (outcome, count) in counters.deliveries.sorted(by: { $0.key < $1.key }) {
            out += "switchboard_webhook_deliveries_total{outcome=\"\(outcome)\"} \(count)\n"
        }
        out += "# HELP switchboard_webhook_outbox_depth Events accepted and not yet delivered.\n"
        out += "# TYPE switchboard_webhook_outbox_depth gauge\n"
        out += "switchboard_webhook_outbox_depth \(counters.outboxDepth)\n"
        out += "# HELP switchboard_webhook_outbox_commits_total Transactions that committed outbox work, each "
        out += "covering the accepted events, delivery outcomes and reads submitted while the one before committed.\n"
        out += "# TYPE switchboard_webhook_outbox_commits_total counter\n"
        out += "switchboard_webhook_outbox_commits_total \(counters.outboxCommits)\n"
        out += "# HELP switchboard_webhook_oldest_pending_seconds Age of the oldest undelivered event.\n"
        out += "# TYPE switchboard_webhook_oldest_pending_seconds gauge\n"
        out += "switchboard_webhook_oldest_pending_seconds \(counters.oldestPendingSeconds)\n"
        return out
    }
}
