// swift-tools-version:6.0
import PackageDescription

// The loops' I/O modules touch class state on every request; in release builds their exclusivity is checked at
// compile time only (about 100 runtime checks, 8,000 instructions per proxied call). Debug builds, which the tests
// run, keep the runtime checks.
let dataPath: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]

// Every module imports the standard library's string-processing and concurrency modules implicitly, and so links
// their libraries (1.4 MiB resident in every gateway process) though nothing here uses them.
let lean: [SwiftSetting] = [
    .unsafeFlags([
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
    ])
]

// The gateway links the Swift runtime and standard library statically: only the code it calls is mapped and
// paged in (1.2 MiB less resident than the shared libswiftCore), and runtime calls such as swift_retain are direct,
// not through the PLT.
let staticRuntime: [LinkerSetting] = [.unsafeFlags(["-static-stdlib"])]

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

        .target(name: "JSON", swiftSettings: lean),
        .target(name: "Platform", dependencies: ["CShims"], swiftSettings: lean),
        .target(name: "Reactor", dependencies: ["CShims", "Platform"], swiftSettings: dataPath + lean),
        .target(name: "Cryptography", dependencies: ["COpenSSL"], swiftSettings: lean),
        .target(
            name: "HTTP", dependencies: ["Reactor", "Cryptography", "JSON", "Platform"], swiftSettings: dataPath + lean),
        .target(name: "Store", dependencies: ["CSQLite", "JSON", "Platform"], swiftSettings: lean),
        .target(name: "Policy", dependencies: ["CRE2", "Cryptography", "JSON"], swiftSettings: lean),
        .target(
            name: "MCP", dependencies: ["Cryptography", "HTTP", "JSON", "Platform", "Reactor"],
            swiftSettings: dataPath + lean),
        .target(
            name: "Mock", dependencies: ["MCP", "HTTP", "JSON", "Platform", "Policy", "Store", "Reactor"],
            swiftSettings: lean),
        .target(
            name: "Connect",
            dependencies: ["Mock", "MCP", "HTTP", "Platform", "Policy", "Store", "Cryptography", "JSON", "Reactor"],
            swiftSettings: lean),
        .target(
            name: "Registry",
            dependencies: ["MCP", "HTTP", "Platform", "Policy", "Store", "Cryptography", "JSON", "Reactor"],
            swiftSettings: lean),
        .target(
            name: "Gateway",
            dependencies: [
                "Connect", "Registry", "Mock", "MCP", "Policy", "HTTP", "Store", "Cryptography", "JSON", "Reactor",
                "Platform",
            ], swiftSettings: lean),
        .executableTarget(
            name: "Switchboard", dependencies: ["Gateway"], swiftSettings: lean, linkerSettings: staticRuntime),
        .executableTarget(name: "BenchUpstream", dependencies: ["HTTP", "JSON", "Reactor"]),
        .executableTarget(name: "BenchPolicy", dependencies: ["Policy", "Cryptography", "JSON"]),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "ReactorTests", dependencies: ["Reactor", "Platform"]),
        .testTarget(
            name: "HTTPTests", dependencies: ["HTTP", "Platform", "Reactor", "Cryptography"], exclude: ["Fixtures"]),
        .testTarget(name: "StoreTests", dependencies: ["Store"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: ["Gateway", "HTTP", "Platform", "Policy", "Store", "Cryptography", "JSON", "Reactor"]),
        .testTarget(name: "CryptographyTests", dependencies: ["Cryptography"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Cryptography", "JSON"]),
        .testTarget(
            name: "ConnectTests", dependencies: ["Connect", "Cryptography", "HTTP", "JSON", "MCP", "Reactor", "Store"]),
        .testTarget(
            name: "MCPTests", dependencies: ["MCP", "HTTP", "JSON", "Reactor", "Cryptography"], exclude: ["Fixtures"]),
        .testTarget(name: "MockTests", dependencies: ["Mock", "JSON", "Policy"]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry", "Store", "Cryptography", "HTTP", "JSON"]),
    ],
    cxxLanguageStandard: .cxx17
)
