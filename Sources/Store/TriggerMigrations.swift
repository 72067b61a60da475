extension Migration {
    /// The subscription side of the triggers (14): how each subscription hears its upstream (`webhook`, `poll` or
    /// `push`, instead of the `polled` flag), when it is renewed upstream next, and why the upstream ended it.
    static let triggers: [Migration] = [
        Migration(
            version: 14,
            sql: """
                ALTER TABLE trigger_subscriptions ADD COLUMN upstream_mode TEXT NOT NULL DEFAULT 'webhook';
                UPDATE trigger_subscriptions SET upstream_mode = 'poll' WHERE polled = 1;
                ALTER TABLE trigger_subscriptions DROP COLUMN polled;
                ALTER TABLE trigger_subscriptions ADD COLUMN renew_at INTEGER;
                ALTER TABLE trigger_subscriptions ADD COLUMN termination TEXT
                """)
    ]
}
