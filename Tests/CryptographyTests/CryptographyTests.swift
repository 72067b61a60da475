import Testing

@testable import Cryptography

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

struct DigestTests {
    @Test func sha256KnownVectors() {
        #expect(
            Digest.sha256([UInt8]()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            Digest.sha256(Array("abc".utf8)).hexString
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func hmacSHA256MatchesRFC4231() {
        // RFC 4231 test case 2.
        #expect(
            Digest.hmacSHA256(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func constantTimeEqualsFindsADifferenceAtEveryPosition() {
        for length in [1, 7, 8, 9, 16, 23, 64, 701] {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            #expect(Digest.constantTimeEquals(bytes, bytes))
            for position in 0..<length {
                for flip: UInt8 in [0x01, 0x80] {
                    var changed = bytes
                    changed[position] ^= flip
                    #expect(!Digest.constantTimeEquals(bytes, changed), "length \(length), position \(position)")
                }
            }
        }
    }

    @Test func constantTimeEqualsComparesContents() {
        #expect(Digest.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Digest.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Digest.constantTimeEquals([1, 2], [1, 2, 3]))
    }

    @Test func base64URLRoundTrips() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64URL.decode(bytes.base64URL) == bytes)
        }
        #expect(Base64URL.decode("a+b/") == nil)
        #expect(Base64URL.decode("a") == nil)
    }
}

struct Ed25519Tests {
    // RFC 8032 §7.1, test 1.
    let seed = hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    let publicKey = hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    let signature = hex(
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    )

    @Test func rfc8032Vector() throws {
        let key = try Ed25519(privateKey: seed)
        #expect(key.publicKey == publicKey)
        #expect(key.sign([]) == signature)
        #expect(Ed25519.verify(publicKey: publicKey, message: [], signature: signature))
    }

    @Test func alteredMessagesOrSignaturesFail() {
        var bad = signature
        bad[0] ^= 1
        #expect(!Ed25519.verify(publicKey: publicKey, message: [], signature: bad))
        #expect(!Ed25519.verify(publicKey: publicKey, message: [0], signature: signature))
        #expect(!Ed25519.verify(publicKey: publicKey, message: [], signature: Array(signature.dropLast())))
    }
}

struct SecretBoxTests {
    @Test func sealsAndOpensWithTheSameBinding() throws {
        let box = try SecretBox(key: Array(repeating: 1, count: 32))
        let sealed = box.seal(Array("secret".utf8), associatedData: Array("a".utf8))
        #expect(box.open(sealed, associatedData: Array("a".utf8)) == Array("secret".utf8))
        #expect(box.open(sealed, associatedData: Array("b".utf8)) == nil)
        #expect(sealed != box.seal(Array("secret".utf8), associatedData: Array("a".utf8)), "a fresh nonce every time")
    }

    @Test func keysMustBe32Bytes() {
        #expect(throws: SecretBox.Failure.self) { try SecretBox(key: [1, 2, 3]) }
    }
}
