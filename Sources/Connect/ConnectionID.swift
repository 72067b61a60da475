import Cryptography

/// Connection ids in the spec's style: `clever-dolphin-a9X3`.
enum ConnectionID {
    static let adjectives = [
        "amber", "bold", "brave", "bright", "calm", "clever", "cosmic", "crisp", "daring", "eager", "fancy", "gentle",
        "golden", "happy", "humble", "jolly", "keen", "lively", "lucky", "mellow", "merry", "nimble", "noble", "proud",
        "quick", "quiet", "rapid", "sharp", "shiny", "silent", "smart", "snowy", "solid", "sunny", "swift", "tidy",
        "vivid", "warm", "wise", "witty",
    ]
    static let animals = [
        "badger", "beaver", "bison", "camel", "cobra", "crane", "dolphin", "eagle", "falcon", "ferret", "gecko",
        "heron",
        "ibis", "jaguar", "koala", "lemur", "lynx", "marten", "moose", "narwhal", "ocelot", "otter", "panda", "puffin",
        "quail", "raven", "salmon", "seal", "sparrow", "tapir", "tiger", "toucan", "turtle", "walrus", "whale",
        "wombat",
        "yak", "zebra", "osprey", "orca",
    ]
    private static let suffixAlphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    static func generate() -> String {
        let random = Digest.randomBytes(6)
        let adjective = adjectives[Int(random[0]) % adjectives.count]
        let animal = animals[Int(random[1]) % animals.count]
        let suffix = random[2...].map { suffixAlphabet[Int($0) % suffixAlphabet.count] }
        return "\(adjective)-\(animal)-\(String(suffix))"
    }

    /// Ids (and namespaces) given by developers: 1–128 characters of letters, digits, `-`, `_`, `.`, not starting with `.`.
    static func isValid(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count), id.first != "." else { return false }
        return id.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }
    }
}
