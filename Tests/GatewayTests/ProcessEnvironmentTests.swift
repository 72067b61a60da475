import Foundation
import Gateway
import Testing

struct ProcessEnvironmentTests {
    @Test func readsTheEnvironmentAsFoundationDoes() {
        setenv("SWITCHBOARD_TEST_VALUE", "a=b=c", 1)
        setenv("SWITCHBOARD_TEST_EMPTY", "", 1)
        let environment = SwitchboardCommand.processEnvironment()
        #expect(environment["SWITCHBOARD_TEST_VALUE"] == "a=b=c")
        #expect(environment["SWITCHBOARD_TEST_EMPTY"] == "")
        #expect(environment == ProcessInfo.processInfo.environment)
    }
}
