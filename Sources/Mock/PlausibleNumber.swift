import JSON
import Platform

/// Numbers and flags that fit their property names and the schema's bounds.
enum PlausibleNumber {
    static func integer(_ random: inout SeededRandom, name: String, _ schema: JSONValue) -> Int {
        let key = name.lowercased()
        var range: ClosedRange<Int>
        if key.contains(substring: "amount") || key.contains(substring: "price") || key.contains(substring: "balance")
            || key.contains(substring: "cost")
        {
            range = 100...250_000
        } else if key.contains(substring: "timestamp") || key.hasSuffix("_at") || key == "created" || key == "updated" {
            range = 1_735_689_600...1_767_225_599
        } else if key.contains(substring: "year") {
            range = 2020...2026
        } else if key.contains(substring: "count") || key.hasPrefix("total") || key.hasPrefix("num")
            || key.contains(substring: "size")
        {
            range = 0...250
        } else {
            range = 1...5_000
        }
        let low = bound(schema["minimum"], schema["exclusiveMinimum"], step: 1) ?? range.lowerBound
        let high = bound(schema["maximum"], schema["exclusiveMaximum"], step: -1) ?? max(low, range.upperBound)
        if low > range.upperBound || high < range.lowerBound { range = low...max(low, high) }
        range = max(range.lowerBound, low)...min(range.upperBound, max(high, low))
        let value = random.int(range)
        if let step = schema["multipleOf"]?.intValue, step > 0 { return (value / step) * step }
        return value
    }

    static func decimal(_ random: inout SeededRandom, name: String, _ schema: JSONValue) -> String {
        let key = name.lowercased()
        if key.contains(substring: "rate") || key.contains(substring: "ratio") || key.contains(substring: "score")
            || key.contains(substring: "probability")
        {
            return hundredths(random.int(0...100))
        }
        return hundredths(integer(&random, name: name, schema.removing("multipleOf").scaled(by: 100)))
    }

    /// `1234` as `12.34`.
    private static func hundredths(_ value: Int) -> String {
        let magnitude = abs(value)
        let fraction = magnitude % 100
        return "\(value < 0 ? "-" : "")\(magnitude / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func flag(_ random: inout SeededRandom, name: String) -> Bool {
        ["success", "ok", "deleted", "created", "updated", "removed"].contains(name.lowercased())
            || random.chance(50)
    }

    /// An inclusive integer bound from `inclusive` or `exclusive` (moved one `step` inward).
    private static func bound(_ inclusive: JSONValue?, _ exclusive: JSONValue?, step: Int) -> Int? {
        if let value = inclusive?.doubleValue { return Int(step > 0 ? value.rounded(.up) : value.rounded(.down)) }
        if let value = exclusive?.doubleValue {
            return Int(step > 0 ? value.rounded(.down) : value.rounded(.up)) + step
        }
        return nil
    }
}

extension JSONValue {
    /// A number schema's bounds multiplied by `factor` (to draw cents for a decimal).
    fileprivate func scaled(by factor: Double) -> JSONValue {
        var result = self
        for key in ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"] {
            if let value = self[key]?.doubleValue { result = result.setting(key, .number(String(value * factor))) }
        }
        return result
    }
}
