import Cryptography
import Testing

@testable import Connect

struct HeaderVaultTests {
    let vault = HeaderVault(box: try! SecretBox(key: Array(repeating: 7, count: 32)))

    @Test func headersRoundTripForTheirConnection() {
        let headers = [(name: "X-API-Key", value: "secret-1"), (name: "Authorization", value: "Bearer t")]
        let sealed = vault.seal(headers, namespace: "ns", connection: "c1")
        let opened = vault.open(sealed, namespace: "ns", connection: "c1")
        #expect(opened?.map(\.name) == ["X-API-Key", "Authorization"])
        #expect(opened?.map(\.value) == ["secret-1", "Bearer t"])
        #expect(!String(decoding: sealed, as: UTF8.self).contains("secret-1"))
    }

    @Test func sealedHeadersDoNotOpenForAnotherConnection() {
        let sealed = vault.seal([(name: "X-API-Key", value: "secret")], namespace: "ns", connection: "c1")
        #expect(vault.open(sealed, namespace: "ns", connection: "c2") == nil)
        #expect(vault.open(sealed, namespace: "other", connection: "c1") == nil)
    }

    @Test func everyFlippedByteIsDetected() {
        let sealed = vault.seal([(name: "K", value: "value")], namespace: "ns", connection: "c")
        for index in sealed.indices {
            var tampered = sealed
            tampered[index] ^= 0x01
            #expect(vault.open(tampered, namespace: "ns", connection: "c") == nil, "byte \(index)")
        }
        #expect(vault.open(Array(sealed.dropLast()), namespace: "ns", connection: "c") == nil)
    }

    @Test func wrongKeyFails() throws {
        let other = HeaderVault(box: try SecretBox(key: Array(repeating: 8, count: 32)))
        let sealed = vault.seal([(name: "K", value: "v")], namespace: "ns", connection: "c")
        #expect(other.open(sealed, namespace: "ns", connection: "c") == nil)
    }
}
