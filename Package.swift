// swift-tools-version:6.0
import PackageDescription

// The loops' I/O modules touch class state on every request; in release builds their exclusivity is checked at
// compile time only (about 100 runtime checks, 8,000 instructions per proxied call). Debug builds, which the tests
// run, keep the runtime checks.
let dataPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

let package = Package(
    name: "Switchboard",
    products: [
        .executable(name: "switchboard", targets: ["Switchboard"]),
        .executable(name: "switchboard-bench-upstream", targets: ["BenchUpstream"]),
        .executable(name: "switchboard-bench-policy", targets: ["BenchPolicy"]),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The only C we write: epoll/eventfd/timerfd wrappers Swift cannot import cleanly.
        .target(name: "CShims"),
        // RE2 behind a few extern "C" functions: user-supplied patterns run in linear time.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),

        .target(name: "JSON"),
        .target(name: "Reactor", dependencies: ["CShims"], swiftSettings: dataPath),
        .target(name: "Cryptography", dependencies: ["COpenSSL"]),
        .target(name: "HTTP", dependencies: ["Reactor", "Cryptography", "JSON"], swiftSettings: dataPath),
        .target(name: "Store", dependencies: ["CSQLite", "JSON"]),
        .target(name: "Policy", dependencies: ["CRE2", "Cryptography", "JSON"]),
        .target(name: "MCP", dependencies: ["HTTP", "JSON", "Reactor"], swiftSettings: dataPath),
        .target(name: "Mock", dependencies: ["MCP", "HTTP", "JSON", "Store", "Reactor"]),
        .target(
            name: "Connect",
            dependencies: ["Mock", "MCP", "HTTP", "Policy", "Store", "Cryptography", "JSON", "Reactor"]),
        .target(
            name: "Registry", dependencies: ["MCP", "HTTP", "Policy", "Store", "Cryptography", "JSON", "Reactor"]),
        .target(
            name: "Gateway",
            dependencies: [
                "Connect", "Registry", "Mock", "MCP", "Policy", "HTTP", "Store", "Cryptography", "JSON", "Reactor",
            ]),
        .executableTarget(name: "Switchboard", dependencies: ["Gateway"]),
        .executableTarget(name: "BenchUpstream", dependencies: ["HTTP", "JSON", "Reactor"]),
        .executableTarget(name: "BenchPolicy", dependencies: ["Policy", "Cryptography", "JSON"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Reactor", "Cryptography"], exclude: ["Fixtures"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "HTTP", "Policy", "Store", "Cryptography", "JSON", "Reactor"]),
        .testTarget(name: "CryptographyTests", dependencies: ["Cryptography"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Cryptography", "JSON"]),
        .testTarget(
            name: "ConnectTests", dependencies: ["Connect", "Cryptography", "HTTP", "JSON", "MCP", "Reactor", "Store"]),
        .testTarget(
            name: "MCPTests", dependencies: ["MCP", "HTTP", "JSON", "Reactor", "Cryptography"], exclude: ["Fixtures"]),
        .testTarget(name: "MockTests", dependencies: ["Mock", "JSON"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "Store", "Cryptography", "HTTP", "JSON"]),
    ],
    cxxLanguageStandard: .cxx17
)
